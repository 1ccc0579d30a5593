// A hostile client on the same machine: each case is answered with its own error code,
// writes nothing, and leaves the server healthy; nothing it sends reaches the logs.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import type { Spec } from "../../src/index.js";
import { bearerTokens, createServer, type JobstarServer } from "../../src/server/index.js";
import { TrainingJob } from "../fixtures/models.js";
import { freshDatabase } from "../support/database.js";
import { countRows } from "../support/effects.js";
import { testSpec } from "../support/spec.js";
import { codesOf, post, type Reply, TOKENS, toReply, until, wsAs } from "./support.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let spec: Spec;
let server: JobstarServer;
let sql: postgres.Sql;
let aliceJob: string;
const logged: string[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  spec = testSpec(db.url, "graphile");
  await spec.start();
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
  server = await createServer(spec, { port: 0, authenticate: bearerTokens(TOKENS) });
  aliceJob = (
    await spec
      .getResourceManager(TrainingJob)
      .create({ payload: { data_id: "d", algo: "mlp", params: {} } }, { user: "alice" })
  ).resourceId;
  for (const level of ["error", "warn", "log", "info"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(
        args
          .map((arg) => (arg instanceof Error ? `${arg.stack} ${JSON.stringify(arg)}` : String(arg)))
          .join(" "),
      );
    });
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  await server?.close();
  await spec?.close();
  await sql?.end({ timeout: 5 });
  await db?.drop();
});

const SECRET = "SECRET-PAYLOAD-7f3a";
const SUBMIT = (alias: string, extra = "") =>
  `${alias}: submitTrainingJob(input: { payload: { data_id: "${SECRET}", algo: mlp, params: {} }${extra} }) { id }`;
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const cursor = (time: string, id: string) => Buffer.from(JSON.stringify([time, id])).toString("base64url");

/** Sends a raw POST with `body` (a JSON string unless said otherwise). */
async function raw(
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<Reply<Record<string, unknown>>> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { authorization: "Bearer token-root", "content-type": "application/json", ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  return toReply(response);
}

interface HostileCase {
  send: () => Promise<Reply>;
  /** The code of the first error, and the failing field or limit when there is one. */
  code: string;
  field?: string;
  limit?: string;
  status?: number;
}

const ADMIN = "admin" as const;

const CASES: Record<string, HostileCase> = {
  "2,000 aliases of a DB-backed field": {
    send: () =>
      post(
        server.url,
        ADMIN,
        `{ ${Array.from({ length: 2000 }, (_, i) => `a${i}: trainingJobs(first: 1) { totalCount }`).join(" ")} }`,
      ),
    code: "LIMIT_EXCEEDED",
    limit: "maxTokens",
  },
  "20 aliases": {
    send: () =>
      post(
        server.url,
        ADMIN,
        `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: viewer { user }`).join(" ")} }`,
      ),
    code: "LIMIT_EXCEEDED",
    limit: "maxAliases",
  },
  "200 aliased submits in one request": {
    send: () =>
      post(
        server.url,
        ADMIN,
        `mutation { ${Array.from({ length: 200 }, (_, i) => SUBMIT(`s${i}`)).join(" ")} }`,
      ),
    code: "LIMIT_EXCEEDED",
  },
  "12 aliased submits (within the alias limit)": {
    send: () =>
      post(
        server.url,
        ADMIN,
        `mutation { ${Array.from({ length: 12 }, (_, i) => SUBMIT(`s${i}`)).join(" ")} }`,
      ),
    code: "LIMIT_EXCEEDED",
    limit: "maxMutationFields",
  },
  "nodes(ids:) with 10,000 ids": {
    send: () =>
      post(server.url, ADMIN, "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {
        ids: Array.from({ length: 10_000 }, (_, i) => `training-job:${i}`),
      }),
    code: "LIMIT_EXCEEDED",
    limit: "maxNodes",
  },
  "first: 10,000": {
    send: () => post(server.url, ADMIN, "{ trainingJobs(first: 10000) { edges { node { id status } } } }"),
    code: "LIMIT_EXCEEDED",
    limit: "maxCost",
  },
  "first: 10,000 as a variable": {
    send: () =>
      post(server.url, ADMIN, "query ($n: Int) { trainingJobs(first: $n) { totalCount } }", { n: 10_000 }),
    code: "VALIDATION_FAILED",
    field: "first",
  },
  "a 300-deep selection": {
    send: () => post(server.url, ADMIN, `{ ${"job(id: 1) { ".repeat(150)}id${" }".repeat(150)} }`),
    code: "LIMIT_EXCEEDED",
  },
  "a list literal nested 20,000 deep (parser recursion)": {
    send: () => post(server.url, ADMIN, `{ nodes(ids: ${nested(20_000)}) { id } }`),
    code: "LIMIT_EXCEEDED",
    limit: "maxTokens",
  },
  "variables nested 100,000 deep": {
    send: () =>
      raw(
        `{"query":"mutation ($p: JSON!) { submitJob(input: { trainingJob: { payload: { data_id: \\"x\\", algo: mlp, params: $p } } }) { id } }","variables":{"p":{"a":${nested(100_000)}}}}`,
      ),
    code: "LIMIT_EXCEEDED",
    limit: "maxVariableDepth",
  },
  "a 3 MiB body": {
    send: () =>
      raw(JSON.stringify({ query: "{ viewer { user } }", variables: { pad: "x".repeat(3 * 1024 * 1024) } })),
    code: "LIMIT_EXCEEDED",
    limit: "maxBodyBytes",
    status: 413,
  },
  "a 3 MiB chunked body (no Content-Length)": {
    send: () => {
      const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0)
            controller.enqueue(new TextEncoder().encode('{"query":"{ viewer { user } }","pad":"'));
          if (sent >= 48) {
            controller.enqueue(new TextEncoder().encode('"}'));
            controller.close();
          } else controller.enqueue(chunk);
          sent += 1;
        },
      });
      return raw(body);
    },
    code: "LIMIT_EXCEEDED",
    limit: "maxBodyBytes",
    status: 413,
  },
  "NUL in idempotencyKey": {
    send: () => post(server.url, ADMIN, `mutation { ${SUBMIT("s", ', idempotencyKey: "k\\u0000"')} }`),
    code: "VALIDATION_FAILED",
    field: "idempotencyKey",
  },
  "NUL in partitionKey": {
    send: () => post(server.url, ADMIN, `mutation { ${SUBMIT("s", ', partitionKey: "p\\u0000"')} }`),
    code: "VALIDATION_FAILED",
    field: "partitionKey",
  },
  "NUL in an id": {
    send: () =>
      post(server.url, ADMIN, "query ($id: ID!) { trainingJob(id: $id) { id } }", {
        id: "training-job:\u0000",
      }),
    code: "VALIDATION_FAILED",
    field: "id",
  },
  "NUL in a cancel's id": {
    send: () =>
      post(server.url, ADMIN, "mutation ($id: ID!) { cancelTrainingJob(id: $id) { id } }", {
        id: "training-job:a\u0000",
      }),
    code: "VALIDATION_FAILED",
    field: "id",
  },
  "NUL in a createdBy filter": {
    send: () => post(server.url, ADMIN, `{ trainingJobs(where: { createdBy: "a\\u0000" }) { totalCount } }`),
    code: "VALIDATION_FAILED",
    field: "createdBy",
  },
  "NUL in a partitionKey filter": {
    send: () =>
      post(server.url, ADMIN, `{ trainingJobs(where: { partitionKey: "a\\u0000" }) { totalCount } }`),
    code: "VALIDATION_FAILED",
    field: "partitionKey",
  },
  "a cursor with an out-of-range date": {
    send: () =>
      post(server.url, ADMIN, "query ($c: String) { trainingJobs(after: $c) { totalCount } }", {
        c: cursor("-271821-04-20T00:00:00.000Z", "training-job:x"),
      }),
    code: "VALIDATION_FAILED",
    field: "after",
  },
  "a cursor with NUL in its id": {
    send: () =>
      post(server.url, ADMIN, "query ($c: String) { trainingJobs(before: $c) { totalCount } }", {
        c: cursor("2024-01-01T00:00:00.000Z", "training-job:\u0000"),
      }),
    code: "VALIDATION_FAILED",
    field: "before",
  },
  "an out-of-range date filter": {
    send: () =>
      post(
        server.url,
        ADMIN,
        "query ($t: DateTime) { trainingJobs(where: { createdAfter: $t }) { totalCount } }",
        {
          t: "0000-01-01T00:00:00Z",
        },
      ),
    code: "VALIDATION_FAILED",
  },
  "a revision cursor beyond int4": {
    send: () =>
      post(
        server.url,
        ADMIN,
        'query ($id: ID!) { trainingJob(id: $id) { revisions(after: "3000000000") { totalCount } } }',
        {
          id: aliceJob,
        },
      ),
    code: "VALIDATION_FAILED",
    field: "after",
  },
  "a form-encoded mutation (CSRF)": {
    send: () =>
      raw(`query=${encodeURIComponent(`mutation { ${SUBMIT("s")} }`)}`, {
        "content-type": "application/x-www-form-urlencoded",
      }),
    code: "BAD_REQUEST",
    status: 415,
  },
  "a multipart mutation (CSRF)": {
    send: () => {
      const form = new FormData();
      form.set("operations", JSON.stringify({ query: `mutation { ${SUBMIT("s")} }` }));
      form.set("map", "{}");
      return fetch(server.url, {
        method: "POST",
        body: form,
        headers: { authorization: "Bearer token-root" },
      }).then((response) => toReply<Record<string, unknown>>(response));
    },
    code: "BAD_REQUEST",
    status: 415,
  },
  "a text/plain mutation (CSRF)": {
    send: () =>
      raw(JSON.stringify({ query: `mutation { ${SUBMIT("s")} }` }), { "content-type": "text/plain" }),
    code: "BAD_REQUEST",
    status: 415,
  },
  "a mutation over GET": {
    send: () =>
      fetch(`${server.url}?query=${encodeURIComponent(`mutation { ${SUBMIT("s")} }`)}`, {
        headers: { authorization: "Bearer token-root", accept: "application/json" },
      }).then((response) => toReply<Record<string, unknown>>(response)),
    code: "",
    status: 405,
  },
  "jobStatus of an unknown id over SSE": {
    send: async () => {
      const response = await fetch(server.url, {
        method: "POST",
        headers: {
          authorization: "Bearer token-root",
          "content-type": "application/json",
          accept: "text/event-stream",
        },
        body: JSON.stringify({
          query: "subscription ($id: ID!) { jobStatus(id: $id) { status } }",
          variables: { id: "training-job:00000000-0000-4000-8000-000000000000" },
        }),
      });
      const text = await response.text();
      const code = /"code":"(\w+)"/.exec(text)?.[1] ?? "";
      return {
        status: response.status,
        data: null,
        errors: [{ message: text }],
        codes: [code],
        headers: response.headers,
      };
    },
    code: "NOT_FOUND",
    status: 200,
  },
};

describe("each hostile request is refused with its code, writes nothing, and the server stays healthy", () => {
  it.each(Object.entries(CASES))("%s", async (_name, hostile) => {
    const before = await countRows(sql);
    const reply = await hostile.send();
    if (hostile.status !== undefined) expect(reply.status).toBe(hostile.status);
    expect(reply.status, JSON.stringify(reply.errors).slice(0, 500)).toBeLessThan(500);
    if (hostile.code) expect(reply.codes, JSON.stringify(reply.errors).slice(0, 500)).toContain(hostile.code);
    if (hostile.limit) {
      expect(reply.errors.map((error) => error.extensions?.limit)).toContain(hostile.limit);
    }
    if (hostile.field) {
      const fields = reply.errors.flatMap(
        (error) => (error.extensions?.fields as { path: string }[] | undefined)?.map((f) => f.path) ?? [],
      );
      expect(fields.some((path) => path === hostile.field || path.endsWith(`.${hostile.field}`))).toBe(true);
    }
    expect(await countRows(sql)).toEqual(before);
    expect((await fetch(new URL("/health", server.url))).status).toBe(200);
    const ok = await post(server.url, ADMIN, "{ viewer { user } }");
    expect(ok.data).toEqual({ viewer: { user: "root" } });
  });
});

describe("WebSockets", () => {
  it("closes a socket that sends a frame over 1 MiB, and serves others on", async () => {
    const socket = new WebSocket(server.url.replace(/^http/, "ws"), "graphql-transport-ws");
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send(
      JSON.stringify({
        type: "connection_init",
        payload: { authorization: "Bearer token-root", pad: "x".repeat(2 * 1024 * 1024) },
      }),
    );
    expect(await closed).toBe(1009);
    const ws = wsAs(server.url, "admin");
    const { result } = await ws.first("{ viewer { user } }");
    expect(result).toEqual({ data: { viewer: { user: "root" } } });
    await ws.dispose();
  });

  it("serves 100 subscriptions on one socket and refuses the 101st", async () => {
    const ws = wsAs(server.url, "admin");
    const live: (() => void)[] = [];
    const errors: unknown[] = [];
    let started = 0;
    for (let i = 0; i < 101; i++) {
      live.push(
        ws.client.subscribe(
          { query: "subscription ($id: ID!) { jobStatus(id: $id) { status } }", variables: { id: aliceJob } },
          {
            next: () => {
              started += 1;
            },
            error: (error) => errors.push(error),
            complete: () => {},
          },
        ),
      );
    }
    await until(() => started + errors.length >= 101);
    expect(started).toBe(100);
    expect(codesOf(errors[0])).toEqual(["LIMIT_EXCEEDED"]);
    for (const stop of live) stop();
    await ws.dispose();
  });

  it("refuses a connection without a valid token with 4401", async () => {
    for (const caller of ["no token", "wrong token"] as const) {
      const ws = wsAs(server.url, caller);
      const { error } = await ws.first("{ viewer { user } }");
      expect(codesOf(error)).toEqual(["close:4401"]);
      await ws.dispose();
    }
  });
});

describe("per-user subscriptions", () => {
  it("refuses a user's subscription over the limit, over any transport", async () => {
    const small = await createServer(spec, {
      port: 0,
      authenticate: bearerTokens(TOKENS),
      limits: { maxSubscriptionsPerUser: 3 },
    });
    const first = wsAs(small.url, "owner");
    const second = wsAs(small.url, "owner");
    const sockets = [first, second];
    try {
      const errors: unknown[] = [];
      let started = 0;
      const stops = [0, 1, 2].map((i) =>
        (i % 2 ? second : first).client.subscribe(
          { query: "subscription ($id: ID!) { jobStatus(id: $id) { status } }", variables: { id: aliceJob } },
          { next: () => (started += 1), error: (e) => errors.push(e), complete: () => {} },
        ),
      );
      await until(() => started >= 3);
      const sse = await fetch(small.url, {
        method: "POST",
        headers: {
          authorization: "Bearer token-alice",
          "content-type": "application/json",
          accept: "text/event-stream",
        },
        body: JSON.stringify({
          query: "subscription ($id: ID!) { jobStatus(id: $id) { status } }",
          variables: { id: aliceJob },
        }),
      });
      expect(await sse.text()).toContain('"LIMIT_EXCEEDED"');
      // Another user is not affected.
      const bob = await post(small.url, "other", "{ viewer { user } }");
      expect(bob.data).toEqual({ viewer: { user: "bob" } });
      for (const stop of stops) stop();
    } finally {
      await Promise.all(sockets.map((s) => s.dispose()));
      await small.close();
    }
  });
});

describe("the logs", () => {
  it("hold no payloads, SQL parameter values or stack traces of the callers' errors", () => {
    const text = logged.join("\n");
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/params:/);
  });
});
