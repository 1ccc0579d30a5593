// The resource layer's permissions without any server: a model's own policy, the
// default one through `manager.as(principal)`, trusted code without a principal, and
// what the server logs of an unexpected error.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redact } from "../../src/graphql/logging.js";
import { ForbiddenError, type Principal, Schema, Spec } from "../../src/index.js";
import { bearerTokens, parseTokens } from "../../src/server/index.js";
import { TrainingJob, training } from "../fixtures/models.js";
import { freshDatabase } from "../support/database.js";
import { countRows } from "../support/effects.js";
import { queueFactory } from "../support/spec.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let spec: Spec;
let sql: postgres.Sql;

const alice: Principal = { user: "alice", roles: [] };
const bob: Principal = { user: "bob", roles: [] };
const submitter: Principal = { user: "sam", roles: ["submitter"] };
const payload = { data_id: "d", algo: "mlp" as const, params: {} };

beforeAll(async () => {
  db = await freshDatabase();
  spec = new Spec().configure({ databaseUrl: db.url, messageQueueFactory: queueFactory("graphile") });
  // Only role `submitter` may submit; everyone may read everything; nobody may cancel.
  spec.addModel(new Schema(TrainingJob, "v1"), {
    jobHandler: training,
    authorize: (principal, action) =>
      action === "submit" ? principal.roles.includes("submitter") : action !== "cancel",
  });
  await spec.start();
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await spec?.close();
  await sql?.end({ timeout: 5 });
  await db?.drop();
});

describe("a model's own policy", () => {
  it("decides instead of the default one, and a refusal writes nothing", async () => {
    const jobs = spec.getResourceManager(TrainingJob);
    const before = await countRows(sql);
    await expect(jobs.as(alice).create({ payload })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await countRows(sql)).toEqual(before);

    const info = await jobs.as(submitter).create({ payload });
    expect(info.createdBy).toBe("sam");
    // Readable by everyone under this policy, so bob's list shows sam's job.
    const page = await jobs.as(bob).list({ limit: 100 });
    expect(page.items.map((item) => item.info.resourceId)).toContain(info.resourceId);
    const cancelling = jobs.as(submitter).cancel(info.resourceId);
    await expect(cancelling).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await jobs.get(info.resourceId)).data.status).toBe("pending");
  });

  it("leaves trusted code (no principal) as it was: everything allowed", async () => {
    const jobs = spec.getResourceManager(TrainingJob);
    const info = await jobs.create({ payload }, { user: "cron" });
    const cancelled = await jobs.cancel(info.resourceId, { user: "cron" });
    expect(cancelled.updatedBy).toBe("cron");
  });

  it("does not hand out another user's job through an idempotency key", async () => {
    const other = new Spec().configure({
      databaseUrl: db.url,
      messageQueueFactory: queueFactory("graphile"),
    });
    other.addModel(new Schema(TrainingJob, "v1"), { jobHandler: training });
    try {
      const jobs = other.getResourceManager(TrainingJob);
      const first = await jobs.as(alice).create({ payload, idempotencyKey: "alice-key" });
      const before = await countRows(sql);
      await expect(jobs.as(bob).create({ payload, idempotencyKey: "alice-key" })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      expect(await countRows(sql)).toEqual(before);
      expect((await jobs.as(alice).create({ payload, idempotencyKey: "alice-key" })).resourceId).toBe(
        first.resourceId,
      );
    } finally {
      await other.close();
    }
  });
});

describe("bearer tokens", () => {
  it("parse user:token[:role+role] and authenticate only exact tokens", async () => {
    expect(parseTokens("alice:secret-a:admin+ops, bob:secret-b")).toEqual([
      { user: "alice", token: "secret-a", roles: ["admin", "ops"] },
      { user: "bob", token: "secret-b", roles: [] },
    ]);
    expect(() => parseTokens("alice")).toThrow(/user:token/);
    const authenticate = bearerTokens("alice:secret-a:admin,bob:secret-b");
    const as = (authorization: string) =>
      authenticate({ request: new Request("http://x/graphql", { headers: { authorization } }) });
    expect(await as("Bearer secret-a")).toEqual({ user: "alice", roles: ["admin"] });
    expect(await as("bearer secret-b")).toEqual({ user: "bob", roles: [] });
    for (const wrong of ["Bearer secret-", "Bearer secret-a2", "Basic secret-a", "secret-a", ""]) {
      expect(await as(wrong), wrong).toBeNull();
    }
    expect(await authenticate({ connectionParams: { authorization: "Bearer secret-b" } })).toEqual({
      user: "bob",
      roles: [],
    });
    expect(await authenticate({ connectionParams: { user: "alice" } })).toBeNull();
  });
});

describe("the server's log of an unexpected error", () => {
  it("is one line without the query's parameters or the payload", () => {
    const cause = Object.assign(new Error("value too long for type character varying(10)"), {
      code: "22001x",
    });
    const error = new Error(
      'Failed query: insert into "jobstar"."revisions" ("data") values ($1)\nparams: {"payload":"SECRET-7f3a"}',
      { cause },
    );
    const line = String(redact(error));
    expect(line).not.toContain("SECRET");
    expect(line).not.toContain("params");
    expect(line).not.toContain("\n");
    expect(line).toContain("Failed query");
  });
});
