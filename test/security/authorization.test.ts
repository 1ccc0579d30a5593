// Who may do what, over real HTTP and WebSockets: every action × every kind of caller
// answers as the default policy says, a refusal writes nothing, the history records
// the acting principal, and subscriptions show only what the caller may see.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Spec } from "../../src/index.js";
import { bearerTokens, createServer, type JobstarServer } from "../../src/server/index.js";
import { TrainingJob } from "../fixtures/models.js";
import { freshDatabase } from "../support/database.js";
import { countRows } from "../support/effects.js";
import { testSpec } from "../support/spec.js";
import { type Caller, codesOf, post, TOKENS, until, wsAs } from "./support.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let spec: Spec;
let server: JobstarServer;
let sql: postgres.Sql;

beforeAll(async () => {
  db = await freshDatabase();
  spec = testSpec(db.url, "graphile");
  await spec.start();
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
  server = await createServer(spec, { port: 0, authenticate: bearerTokens(TOKENS) });
});

afterAll(async () => {
  await server?.close();
  await spec?.close();
  await sql?.end({ timeout: 5 });
  await db?.drop();
});

const USER: Partial<Record<Caller, string>> = { owner: "alice", other: "bob", viewer: "vera", admin: "root" };
const CALLERS: Caller[] = ["owner", "other", "viewer", "admin", "no token", "wrong token"];

/** A job of alice's, still pending or already finished (cancelled). */
async function aliceJob(finished = false): Promise<string> {
  const manager = spec.getResourceManager(TrainingJob);
  const info = await manager.create(
    { payload: { data_id: "d", algo: "mlp", params: {} } },
    { user: "alice" },
  );
  if (finished) await manager.cancel(info.resourceId, { user: "alice" });
  return info.resourceId;
}

type Outcome = "ok" | "FORBIDDEN" | "UNAUTHENTICATED" | "hidden";

interface ActionCase {
  /** Makes the job the action is tried on (alice's), if it needs one. */
  setup?: () => Promise<string>;
  /** Runs the action as `caller`; resolves to the outcome and who the write recorded. */
  run(caller: Caller, id: string): Promise<{ outcome: Outcome; recordedAs?: string }>;
  expected: Record<Caller, Outcome>;
  writes: boolean;
}

const UNAUTHENTICATED = { "no token": "UNAUTHENTICATED", "wrong token": "UNAUTHENTICATED" } as const;

/** The outcome of an HTTP reply: ok, or the one error code (401 for UNAUTHENTICATED). */
function outcomeOf(reply: Awaited<ReturnType<typeof post>>): Outcome {
  if (reply.errors.length === 0) return "ok";
  const [code] = reply.codes;
  if (code === "UNAUTHENTICATED") expect(reply.status).toBe(401);
  return code as Outcome;
}

const ACTIONS: Record<string, ActionCase> = {
  submit: {
    writes: true,
    expected: { owner: "ok", other: "ok", viewer: "ok", admin: "ok", ...UNAUTHENTICATED },
    run: async (caller) => {
      const reply = await post<{ submitTrainingJob: { info: { createdBy: string } } }>(
        server.url,
        caller,
        `mutation { submitTrainingJob(input: { payload: { data_id: "d", algo: mlp, params: {} } }) { info { createdBy } } }`,
      );
      return { outcome: outcomeOf(reply), recordedAs: reply.data?.submitTrainingJob.info.createdBy };
    },
  },
  read: {
    writes: false,
    expected: { owner: "ok", other: "FORBIDDEN", viewer: "ok", admin: "ok", ...UNAUTHENTICATED },
    setup: () => aliceJob(),
    run: async (caller, id) => {
      const reply = await post(server.url, caller, "query ($id: ID!) { trainingJob(id: $id) { id } }", {
        id,
      });
      return { outcome: outcomeOf(reply) };
    },
  },
  list: {
    writes: false,
    expected: { owner: "ok", other: "hidden", viewer: "ok", admin: "ok", ...UNAUTHENTICATED },
    setup: () => aliceJob(),
    run: async (caller, id) => {
      const reply = await post<{ trainingJobs: { edges: { node: { id: string } }[] } }>(
        server.url,
        caller,
        `{ trainingJobs(first: 100, where: { status: [PENDING] }) { edges { node { id } } } }`,
      );
      const outcome = outcomeOf(reply);
      if (outcome !== "ok") return { outcome };
      const ids = reply.data?.trainingJobs.edges.map((edge) => edge.node.id) ?? [];
      return { outcome: ids.includes(id) ? "ok" : "hidden" };
    },
  },
  cancel: {
    writes: true,
    expected: { owner: "ok", other: "FORBIDDEN", viewer: "FORBIDDEN", admin: "ok", ...UNAUTHENTICATED },
    setup: () => aliceJob(),
    run: async (caller, id) => {
      const reply = await post<{ cancelTrainingJob: { info: { updatedBy: string } } }>(
        server.url,
        caller,
        "mutation ($id: ID!) { cancelTrainingJob(id: $id) { status info { updatedBy } } }",
        { id },
      );
      return { outcome: outcomeOf(reply), recordedAs: reply.data?.cancelTrainingJob.info.updatedBy };
    },
  },
  rerun: {
    writes: true,
    expected: { owner: "ok", other: "FORBIDDEN", viewer: "FORBIDDEN", admin: "ok", ...UNAUTHENTICATED },
    setup: () => aliceJob(true),
    run: async (caller, id) => {
      const reply = await post<{ rerunTrainingJob: { info: { updatedBy: string } } }>(
        server.url,
        caller,
        "mutation ($id: ID!) { rerunTrainingJob(id: $id) { status info { updatedBy } } }",
        { id },
      );
      return { outcome: outcomeOf(reply), recordedAs: reply.data?.rerunTrainingJob.info.updatedBy };
    },
  },
  subscribe: {
    writes: false,
    expected: { owner: "ok", other: "FORBIDDEN", viewer: "ok", admin: "ok", ...UNAUTHENTICATED },
    setup: () => aliceJob(),
    run: async (caller, id) => {
      const ws = wsAs(server.url, caller);
      try {
        const { result, error } = await ws.first(
          "subscription ($id: ID!) { jobStatus(id: $id) { status } }",
          {
            id,
          },
        );
        if (error) {
          const [code] = codesOf(error);
          // graphql-ws closes an unauthenticated connection with 4401.
          return { outcome: code === "close:4401" ? "UNAUTHENTICATED" : (code as Outcome) };
        }
        const errors = (result as { errors?: { extensions?: { code?: string } }[] }).errors;
        return { outcome: errors?.length ? (errors[0]?.extensions?.code as Outcome) : "ok" };
      } finally {
        await ws.dispose();
      }
    },
  },
};

describe.each(Object.entries(ACTIONS))("%s", (_name, action) => {
  it.each(CALLERS)("as %s: the policy's answer, and a refusal writes nothing", async (caller) => {
    const id = (await action.setup?.()) ?? "";
    const before = await countRows(sql);
    const { outcome, recordedAs } = await action.run(caller, id);
    expect(outcome).toBe(action.expected[caller]);
    if (outcome === "ok" && action.writes) {
      expect(recordedAs, "the history records the acting principal").toBe(USER[caller]);
    } else {
      expect(await countRows(sql)).toEqual(before);
    }
  });
});

describe("subscriptions", () => {
  it("refuses another user's jobStatus over SSE, and a caller without a token", async () => {
    const id = await aliceJob();
    const open = (token: string | null) =>
      fetch(server.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "text/event-stream",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({
          query: "subscription ($id: ID!) { jobStatus(id: $id) { status } }",
          variables: { id },
        }),
      });
    const bob = await open("token-bob");
    const text = await bob.text();
    expect(bob.status).toBe(200);
    expect(text).toContain('"FORBIDDEN"');
    expect(text).not.toContain('"PENDING"');
    const nobody = await open(null);
    expect(nobody.status).toBe(401);
    expect(await nobody.text()).toContain("UNAUTHENTICATED");
  });

  it("filters a model-wide stream to the jobs the caller may see", async () => {
    type Event = { trainingJobEvents: { id: string; status: string } };
    const EVENTS = "subscription { trainingJobEvents { id status } }";
    const seen: Record<"bob" | "vera", Event["trainingJobEvents"][]> = { bob: [], vera: [] };
    const sockets = { bob: wsAs(server.url, "other"), vera: wsAs(server.url, "viewer") };
    const runs = (["bob", "vera"] as const).map(async (who) => {
      for await (const result of sockets[who].client.iterate<Event>({ query: EVENTS })) {
        if (result.data) seen[who].push(result.data.trainingJobEvents);
      }
    });
    // Both streams are live once a first event reaches them.
    const manager = spec.getResourceManager(TrainingJob);
    await until(async () => {
      await manager.create({ payload: { data_id: "warm-up", algo: "mlp", params: {} } }, { user: "bob" });
      await new Promise((resolve) => setTimeout(resolve, 200));
      return seen.bob.length > 0 && seen.vera.length > 0;
    });
    seen.bob.length = 0;
    seen.vera.length = 0;
    const alices = await aliceJob(true);
    const bobs = (
      await manager.create({ payload: { data_id: "b", algo: "mlp", params: {} } }, { user: "bob" })
    ).resourceId;
    await manager.cancel(bobs, { user: "bob" });
    await until(() => seen.bob.some((e) => e.id === bobs && e.status === "CANCELLED"));
    await until(() => seen.vera.some((e) => e.id === bobs && e.status === "CANCELLED"));
    expect(seen.bob.map((e) => e.id)).toEqual([bobs, bobs]);
    expect(seen.vera.map((e) => e.id)).toEqual([alices, alices, bobs, bobs]);
    await Promise.all([sockets.bob.dispose(), sockets.vera.dispose()]);
    await Promise.allSettled(runs);
  });
});

describe("what the web UI asks", () => {
  it("viewer says who the caller is", async () => {
    const reply = await post(server.url, "viewer", "{ viewer { user roles authenticated } }");
    expect(reply.data).toEqual({ viewer: { user: "vera", roles: ["viewer"], authenticated: true } });
  });

  it.each<[Caller, boolean, boolean]>([
    ["owner", true, true],
    ["viewer", false, false],
    ["admin", true, true],
  ])(
    "viewerCanCancel and viewerCanRerun as %s follow the policy and the job's state",
    async (caller, cancel, rerun) => {
      const pending = await aliceJob();
      const finished = await aliceJob(true);
      const query = `query ($a: ID!, $b: ID!) {
      a: trainingJob(id: $a) { viewerCanCancel viewerCanRerun }
      b: job(id: $b) { viewerCanCancel viewerCanRerun }
    }`;
      const reply = await post(server.url, caller, query, { a: pending, b: finished });
      expect(reply.errors).toEqual([]);
      expect(reply.data).toEqual({
        a: { viewerCanCancel: cancel, viewerCanRerun: false },
        b: { viewerCanCancel: false, viewerCanRerun: rerun },
      });
    },
  );
});

describe("a server without authentication", () => {
  it("says so, allows everything, and takes no user from headers", async () => {
    const open = await createServer(spec, { port: 0 });
    try {
      const reply = await post<{
        viewer: unknown;
        submitTrainingJob: { info: { createdBy: string }; viewerCanCancel: boolean };
      }>(
        open.url,
        "no token",
        `mutation {
          submitTrainingJob(input: { payload: { data_id: "d", algo: mlp, params: {} } }) {
            info { createdBy } viewerCanCancel
          }
        }`,
        {},
        { "x-user": "admin" },
      );
      expect(reply.errors).toEqual([]);
      expect(reply.data?.submitTrainingJob).toEqual({
        info: { createdBy: "anonymous" },
        viewerCanCancel: true,
      });
      const viewer = await post(open.url, "no token", "{ viewer { user roles authenticated } }");
      expect(viewer.data).toEqual({ viewer: { user: "anonymous", roles: [], authenticated: false } });
    } finally {
      await open.close();
    }
  });
});
