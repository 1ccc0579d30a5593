// The REST routes against a real API server (real HTTP on a free port, real PostgreSQL)
// with bearer tokens: every route, its errors as HTTP statuses, the same identity and
// permissions as GraphQL (test/security), and the OpenAPI document, validated.
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Spec } from "../../src/index.js";
import { bearerTokens, createServer, type JobstarServer } from "../../src/server/index.js";
import { ScriptJob, TrainingJob } from "../fixtures/models.js";
import { type Caller, TOKEN_OF, TOKENS } from "../security/support.js";
import { freshDatabase } from "../support/database.js";
import { testSpec } from "../support/spec.js";
import { waitFor } from "../support/wait.js";

let spec: Spec;
let drop: () => Promise<void>;
let server: JobstarServer;
let origin = "";

interface Job {
  info: { resourceId: string; revisionId: string; createdBy: string; updatedBy: string };
  data: { status: string; payload: Record<string, unknown>; artifact: unknown; maxRetries: number };
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
  hasMore: boolean;
  totalCount: number;
}
interface ErrorBody {
  error: { code: string; message: string; fields?: { path: string; message: string }[] };
}

async function call<T = unknown>(
  caller: Caller,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const token = TOKEN_OF[caller];
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers };
}

const submitTraining = (caller: Caller, n: number, extra: Record<string, unknown> = {}) =>
  call<Job>(caller, "POST", "/api/training-job", {
    payload: { data_id: `data:${n}`, algo: n % 2 ? "mlp" : "random-forest", params: { n } },
    ...extra,
  });

beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  spec = testSpec(db.url, "simple");
  await spec.getResourceManager(TrainingJob).startConsume({ block: false });
  server = await createServer(spec, {
    port: 0,
    ui: false,
    metrics: false,
    authenticate: bearerTokens(TOKENS),
  });
  origin = new URL(server.url).origin;
});

afterAll(async () => {
  await server?.close();
  await spec?.close({ graceSeconds: 1 });
  await drop?.();
});

describe("REST routes", () => {
  it("POST /api/<model> submits as the caller and answers 201 with the job", async () => {
    const reply = await submitTraining("owner", 1, { maxRetries: 5, partitionKey: "p1" });
    expect(reply.status).toBe(201);
    expect(reply.body.info.resourceId).toMatch(/^training-job:/);
    expect(reply.body.info.createdBy).toBe("alice");
    expect(reply.body.data).toMatchObject({
      status: "pending",
      maxRetries: 5,
      payload: { data_id: "data:1" },
    });
  });

  it("POST takes priority, timeoutSeconds and runAt; 409 for an idempotency key with another payload", async () => {
    const runAt = "2099-01-02T03:04:05.000Z";
    const reply = await call<Job>("owner", "POST", "/api/script-job", {
      payload: { behaviour: "ok" },
      priority: 3,
      timeoutSeconds: 9,
      runAt,
      idempotencyKey: "rest-key",
    });
    expect(reply.status).toBe(201);
    expect(reply.body.data).toMatchObject({ priority: 3, timeoutSeconds: 9, runAt, status: "pending" });
    const conflict = await call<ErrorBody>("owner", "POST", "/api/script-job", {
      payload: { behaviour: "throw" },
      idempotencyKey: "rest-key",
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({ code: "CONFLICT" });
    expect(conflict.body.error.message).toContain('idempotency key "rest-key"');
  });

  it("GET /api/<model>/<id> reads the current revision, and ?revisionId= an older one", async () => {
    const { body: created } = await submitTraining("owner", 2);
    const id = created.info.resourceId;
    const done = await waitFor(
      () => call<Job>("owner", "GET", `/api/training-job/${encodeURIComponent(id)}`),
      (r) => r.body.data.status === "completed",
    );
    expect(done.status).toBe(200);
    expect(done.body.data.artifact).toEqual({ modelId: "random-forest-model", rows: 100 });
    const first = await call<Job>(
      "owner",
      "GET",
      `/api/training-job/${encodeURIComponent(id)}?revisionId=${encodeURIComponent(created.info.revisionId)}`,
    );
    expect(first.status).toBe(200);
    expect(first.body.data.status).toBe("pending");
    // The uuid alone names the same job.
    const bare = await call<Job>("owner", "GET", `/api/training-job/${id.split(":")[1]}`);
    expect(bare.body.info.resourceId).toBe(id);
    const missing = await call<ErrorBody>(
      "owner",
      "GET",
      `/api/training-job/${encodeURIComponent(id)}?revisionId=${encodeURIComponent(`${id}:99`)}`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("NOT_FOUND");
  });

  it("GET /api/<model> lists with the filters and pages of GraphQL's where", async () => {
    for (let n = 10; n < 15; n++)
      expect((await submitTraining("admin", n, { partitionKey: "paging" })).status).toBe(201);
    const first = await call<Page<Job>>(
      "admin",
      "GET",
      "/api/training-job?partitionKey=paging&limit=2&order=asc",
    );
    expect(first.status).toBe(200);
    expect(first.body.totalCount).toBe(5);
    expect(first.body.items.map((j) => j.data.payload.data_id)).toEqual(["data:10", "data:11"]);
    expect(first.body.hasMore).toBe(true);
    const second = await call<Page<Job>>(
      "admin",
      "GET",
      `/api/training-job?partitionKey=paging&limit=2&order=asc&after=${encodeURIComponent(first.body.nextCursor ?? "")}`,
    );
    expect(second.body.items.map((j) => j.data.payload.data_id)).toEqual(["data:12", "data:13"]);
    const byUser = await call<Page<Job>>("admin", "GET", "/api/training-job?createdBy=alice");
    expect(byUser.body.items.every((j) => j.info.createdBy === "alice")).toBe(true);
    expect(byUser.body.totalCount).toBe(2);
    await waitFor(
      () => call<Page<Job>>("admin", "GET", "/api/training-job?status=pending,processing"),
      (r) => r.body.totalCount === 0,
    );
    const done = await call<Page<Job>>("admin", "GET", "/api/training-job?status=completed&status=failed");
    expect(done.body.totalCount).toBe(7);
    const future = await call<Page<Job>>(
      "admin",
      "GET",
      "/api/training-job?createdAfter=2999-01-01T00:00:00Z",
    );
    expect(future.body.totalCount).toBe(0);
  });

  it("GET /api/<model> filters on payload fields: payload.<field>=v and payload.<field>.<op>=v", async () => {
    for (const ms of [1, 5, 9]) {
      expect(
        (await call("admin", "POST", "/api/script-job", { payload: { behaviour: "sleep", ms } })).status,
      ).toBe(201);
    }
    const mlp = await call<Page<Job>>(
      "admin",
      "GET",
      "/api/training-job?payload.algo=mlp&partitionKey=paging",
    );
    expect(mlp.body.items.map((j) => j.data.payload.data_id).sort()).toEqual(["data:11", "data:13"]);
    const ranged = await call<Page<Job>>(
      "admin",
      "GET",
      "/api/script-job?payload.ms.gte=5&payload.behaviour=sleep&order=asc",
    );
    expect(ranged.body.items.map((j) => j.data.payload.ms)).toEqual([5, 9]);
    const listed = await call<Page<Job>>("admin", "GET", "/api/script-job?payload.ms.in=1,9&order=asc");
    expect(listed.body.items.map((j) => j.data.payload.ms)).toEqual([1, 9]);
    const bad = await call<ErrorBody>("admin", "GET", "/api/script-job?payload.ms.gte=five");
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields?.map((f) => f.path)).toEqual(["payload.ms.gte"]);
    const unknown = await call<ErrorBody>("admin", "GET", "/api/training-job?payload.params=x");
    expect(unknown.body.error.fields?.map((f) => f.path)).toEqual(["payload.params"]);
  });

  it("GET /api lists the jobs of every model, filtered, as the caller may read them", async () => {
    const all = await call<Page<Job>>("admin", "GET", "/api?limit=1000");
    expect(all.status).toBe(200);
    const models = new Set(all.body.items.map((j) => j.info.resourceId.split(":")[0]));
    expect(models).toEqual(new Set(["training-job", "script-job"]));
    expect(all.body.totalCount).toBe(all.body.items.length);
    const scripts = await call<Page<Job>>("admin", "GET", "/api?models=ScriptJob&limit=1000");
    expect(scripts.body.items.every((j) => j.info.resourceId.startsWith("script-job:"))).toBe(true);
    expect(scripts.body.totalCount).toBeGreaterThan(0);
    const paged = await call<Page<Job>>("admin", "GET", "/api?limit=2&order=asc");
    const next = await call<Page<Job>>(
      "admin",
      "GET",
      `/api?limit=2&order=asc&after=${encodeURIComponent(paged.body.nextCursor ?? "")}`,
    );
    expect(next.body.items.map((j) => j.info.resourceId)).toEqual(
      all.body.items
        .slice()
        .reverse()
        .slice(2, 4)
        .map((j) => j.info.resourceId),
    );
    const mine = await call<Page<Job>>("owner", "GET", "/api?limit=1000");
    expect(mine.body.items.every((j) => j.info.createdBy === "alice")).toBe(true);
    expect((await call<Page<Job>>("other", "GET", "/api")).body.totalCount).toBe(0);
    const payload = await call<ErrorBody>("admin", "GET", "/api?payload.algo=mlp");
    expect(payload.status).toBe(400);
    expect(payload.body.error.fields?.[0]?.path).toBe("payload.algo");
    expect((await call("no token", "GET", "/api")).status).toBe(401);
  });

  it("a plain user's list holds only their own jobs, as in GraphQL", async () => {
    const mine = await call<Page<Job>>("other", "GET", "/api/training-job");
    expect(mine.status).toBe(200);
    expect(mine.body.totalCount).toBe(0);
    const viewer = await call<Page<Job>>("viewer", "GET", "/api/training-job");
    expect(viewer.body.totalCount).toBe(7);
  });

  it("rerun, cancel, revisions and logs", async () => {
    const { body: created } = await submitTraining("owner", 3);
    const id = encodeURIComponent(created.info.resourceId);
    await waitFor(
      () => call<Job>("owner", "GET", `/api/training-job/${id}`),
      (r) => r.body.data.status === "completed",
    );
    const rerun = await call<Job>("owner", "POST", `/api/training-job/${id}/rerun`);
    expect(rerun.status).toBe(200);
    expect(rerun.body.data.status).toBe("pending");
    expect(rerun.body.info.updatedBy).toBe("alice");
    await waitFor(
      () => call<Job>("owner", "GET", `/api/training-job/${id}`),
      (r) => r.body.data.status === "completed",
    );
    const revisions = await call<Page<Job>>("owner", "GET", `/api/training-job/${id}/revisions?limit=100`);
    expect(revisions.status).toBe(200);
    expect(revisions.body.items.map((r) => r.data.status)).toEqual([
      "pending",
      "processing",
      "completed",
      "pending",
      "processing",
      "completed",
    ]);
    const paged = await call<Page<Job>>("owner", "GET", `/api/training-job/${id}/revisions?limit=4`);
    expect(paged.body.nextCursor).toBe("4");
    const rest = await call<Page<Job>>("owner", "GET", `/api/training-job/${id}/revisions?after=4`);
    expect(rest.body.items).toHaveLength(2);
    const logs = await call<{ items: { run: number; message: string }[] }>(
      "owner",
      "GET",
      `/api/training-job/${id}/logs`,
    );
    expect(logs.status).toBe(200);
    expect(logs.body.items.map((l) => l.message)).toEqual([
      "training mlp on data:3",
      "training mlp on data:3",
    ]);

    // ScriptJob has no consumer here: it stays pending, so it can be cancelled once.
    const script = await call<Job>("owner", "POST", "/api/script-job", { payload: { behaviour: "ok" } });
    const sid = encodeURIComponent(script.body.info.resourceId);
    const cancelled = await call<Job>("owner", "POST", `/api/script-job/${sid}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data.status).toBe("cancelled");
    const again = await call<ErrorBody>("owner", "POST", `/api/script-job/${sid}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("CONFLICT");
  });

  it("409 for a rerun of a job that is not finished", async () => {
    const script = await call<Job>("owner", "POST", "/api/script-job", { payload: { behaviour: "ok" } });
    const reply = await call<ErrorBody>(
      "owner",
      "POST",
      `/api/script-job/${encodeURIComponent(script.body.info.resourceId)}/rerun`,
    );
    expect(reply.status).toBe(409);
    expect(reply.body.error).toMatchObject({ code: "CONFLICT" });
    expect(reply.body.error.message).toContain("only finished jobs can be rerun");
  });
});

describe("REST errors", () => {
  it("400 names the failing field: payload, job option, unknown field, query parameter", async () => {
    const bad = await call<ErrorBody>("owner", "POST", "/api/training-job", {
      payload: { data_id: "x", algo: "svm", params: {} },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VALIDATION_FAILED");
    expect(bad.body.error.fields?.map((f) => f.path)).toEqual(["payload.algo"]);
    const option = await call<ErrorBody>("owner", "POST", "/api/training-job", {
      payload: { data_id: "x", algo: "mlp", params: {} },
      maxRetries: "three",
    });
    expect(option.status).toBe(400);
    expect(option.body.error.fields?.map((f) => f.path)).toEqual(["maxRetries"]);
    const unknown = await call<ErrorBody>("owner", "POST", "/api/training-job", {
      payload: { data_id: "x", algo: "mlp", params: {} },
      urgency: 3,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields?.map((f) => f.path)).toEqual(["urgency"]);
    const status = await call<ErrorBody>("owner", "GET", "/api/training-job?status=done");
    expect(status.status).toBe(400);
    expect(status.body.error.fields?.[0]?.path).toBe("status");
    const date = await call<ErrorBody>("owner", "GET", "/api/training-job?createdAfter=yesterday");
    expect(date.body.error.fields?.[0]?.path).toBe("createdAfter");
    const limit = await call<ErrorBody>("owner", "GET", "/api/training-job?limit=5000");
    expect(limit.status).toBe(400);
    expect(limit.body.error.fields?.[0]?.path).toBe("limit");
    const json = await call<ErrorBody>("owner", "POST", "/api/training-job", "{not json");
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe("BAD_REQUEST");
    // Nothing was written by any of them.
    const all = await call<Page<Job>>("admin", "GET", "/api/training-job?createdBy=alice&limit=1");
    expect(all.body.items.every((j) => j.data.payload.data_id !== "x")).toBe(true);
  });

  it("413 for a body over limits.maxBodyBytes (2 MiB)", async () => {
    const reply = await call<ErrorBody>("owner", "POST", "/api/training-job", {
      payload: { data_id: "x".repeat(3 * 1024 * 1024), algo: "mlp", params: {} },
    });
    expect(reply.status).toBe(413);
    expect(reply.body.error.code).toBe("LIMIT_EXCEEDED");
  });

  it("a form post is refused (CSRF), as on /graphql", async () => {
    const reply = await call<ErrorBody>("owner", "POST", "/api/training-job", "payload=1", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("BAD_REQUEST");
  });

  it("401 without a token or with a wrong one", async () => {
    for (const caller of ["no token", "wrong token"] as const) {
      const list = await call<ErrorBody>(caller, "GET", "/api/training-job");
      expect(list.status).toBe(401);
      expect(list.body.error.code).toBe("UNAUTHENTICATED");
      expect(list.headers.get("www-authenticate")).toBe("Bearer");
      const submit = await submitTraining(caller, 99);
      expect(submit.status).toBe(401);
    }
  });

  it("403 for another user's job (read, rerun, cancel, revisions, logs); a viewer reads but may not change", async () => {
    const { body: created } = await submitTraining("owner", 5);
    const id = encodeURIComponent(created.info.resourceId);
    for (const [method, path] of [
      ["GET", ""],
      ["GET", "/revisions"],
      ["GET", "/logs"],
      ["POST", "/rerun"],
      ["POST", "/cancel"],
    ] as const) {
      const reply = await call<ErrorBody>("other", method, `/api/training-job/${id}${path}`);
      expect(reply.status, `${method} ${path}`).toBe(403);
      expect(reply.body.error.code).toBe("FORBIDDEN");
    }
    expect((await call("viewer", "GET", `/api/training-job/${id}`)).status).toBe(200);
    expect((await call("viewer", "POST", `/api/training-job/${id}/cancel`)).status).toBe(403);
    expect((await call("admin", "GET", `/api/training-job/${id}/logs`)).status).toBe(200);
  });

  it("404 for an unknown id, an id of another model, an unknown model or route; 405 for a wrong method", async () => {
    const unknown = await call<ErrorBody>(
      "owner",
      "GET",
      "/api/training-job/training-job:00000000-0000-0000-0000-000000000000",
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NOT_FOUND");
    const script = await call<Job>("owner", "POST", "/api/script-job", { payload: { behaviour: "ok" } });
    const wrongModel = await call<ErrorBody>(
      "owner",
      "GET",
      `/api/training-job/${encodeURIComponent(script.body.info.resourceId)}`,
    );
    expect(wrongModel.status).toBe(404);
    const model = await call<ErrorBody>("owner", "GET", "/api/nope-job");
    expect(model.status).toBe(404);
    expect(model.body.error.code).toBe("MODEL_NOT_REGISTERED");
    expect((await call("owner", "GET", "/api/training-job/x/y/z")).status).toBe(404);
    const method = await call<ErrorBody>("owner", "DELETE", "/api/training-job");
    expect(method.status).toBe(405);
    expect(method.headers.get("allow")).toBe("GET, POST");
  });
});

describe("OpenAPI", () => {
  it("serves a valid OpenAPI 3.1 document at /openapi.json describing every route", async () => {
    const response = await fetch(`${origin}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      paths: Record<string, Record<string, unknown>>;
      openapi: string;
    };
    expect(document.openapi).toBe("3.1.0");
    await SwaggerParser.validate(structuredClone(document) as never);
    expect(Object.keys(document.paths).sort()).toEqual(
      [ScriptJob, TrainingJob]
        .flatMap((m) => {
          const key = m === ScriptJob ? "script-job" : "training-job";
          return [
            `/api/${key}`,
            `/api/${key}/{id}`,
            `/api/${key}/{id}/cancel`,
            `/api/${key}/{id}/logs`,
            `/api/${key}/{id}/rerun`,
            `/api/${key}/{id}/revisions`,
          ];
        })
        .concat(["/api"])
        .sort(),
    );
    expect(Object.keys(document.paths["/api/training-job"] ?? {})).toEqual(["get", "post"]);
  });

  it("serves the docs page at /docs", async () => {
    const response = await fetch(`${origin}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("/openapi.json");
  });
});
