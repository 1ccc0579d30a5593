// `jobs(...)` across models and payload filters (GraphQL and the library): filters, paging,
// each model's policy still deciding what a caller sees, and bad filters named by field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createGraphQLHandler, type GraphQLHandler } from "../../src/graphql/yoga.js";
import { Job, Schema, type Spec } from "../../src/index.js";
import { bearerTokens } from "../../src/server/index.js";
import { ScriptJob, TrainingJob } from "../fixtures/models.js";
import { type Caller, TOKEN_OF, TOKENS } from "../security/support.js";
import { freshDatabase } from "../support/database.js";
import { testSpec } from "../support/spec.js";

class SweepJob extends Job(
  z.object({
    algo: z.enum(["mlp", "svm"]),
    epochs: z.number().int(),
    rate: z.number(),
    gpu: z.boolean(),
    startAt: z.date(),
    tags: z.array(z.string()),
  }),
) {}

let spec: Spec;
let drop: () => Promise<void>;
let yoga: GraphQLHandler;

interface Reply<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; fields?: { path: string }[] } }[];
}
async function gql<T>(
  caller: Caller,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Reply<T>> {
  const response = await yoga.fetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN_OF[caller]}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Reply<T>;
}

interface Conn {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { id: string; __typename: string; status: string } }[];
}
const JOBS = `query ($where: JobWhere, $models: [String!], $first: Int, $after: String, $orderBy: JobOrder) {
  jobs(where: $where, models: $models, first: $first, after: $after, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id __typename status } }
  }
}`;
const jobs = async (caller: Caller, variables: Record<string, unknown> = {}) => {
  const reply = await gql<{ jobs: Conn }>(caller, JOBS, variables);
  expect(reply.errors).toBeUndefined();
  return reply.data?.jobs as Conn;
};

const created: { id: string; user: string; model: string }[] = [];
const sweepIds: string[] = [];

beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  spec = testSpec(db.url, "simple");
  // Only admins may list or read SweepJobs.
  spec.addModel(new Schema(SweepJob, "v1"), { authorize: (principal) => principal.roles.includes("admin") });
  yoga = createGraphQLHandler(spec, { authenticate: bearerTokens(TOKENS) });
  const training = spec.getResourceManager(TrainingJob);
  const scripts = spec.getResourceManager(ScriptJob);
  const sweeps = spec.getResourceManager(SweepJob);
  for (const [user, n] of [
    ["alice", 1],
    ["alice", 2],
    ["alice", 3],
    ["bob", 4],
    ["bob", 5],
  ] as const) {
    const info = await training.create(
      { payload: { data_id: `d:${n}`, algo: n % 2 ? "mlp" : "random-forest", params: {} } },
      { user },
    );
    created.push({ id: info.resourceId, user, model: "TrainingJob" });
  }
  const script = await scripts.create({ payload: { behaviour: "ok", ms: 5 } }, { user: "bob" });
  created.push({ id: script.resourceId, user: "bob", model: "ScriptJob" });
  await training.cancel(created[0]?.id ?? "", { user: "alice" });
  const sweepPayloads = [
    { algo: "mlp", epochs: 1, rate: 0.1, gpu: true, startAt: new Date("2026-01-01T00:00:00Z"), tags: [] },
    { algo: "mlp", epochs: 3, rate: 0.01, gpu: false, startAt: new Date("2026-02-01T00:00:00Z"), tags: [] },
    { algo: "mlp", epochs: 5, rate: 0.5, gpu: true, startAt: new Date("2026-03-01T00:00:00Z"), tags: ["x"] },
    { algo: "svm", epochs: 7, rate: 0.05, gpu: false, startAt: new Date("2026-04-01T00:00:00Z"), tags: [] },
  ] as const;
  for (const payload of sweepPayloads) {
    const info = await sweeps.create({ payload: { ...payload, tags: [...payload.tags] } }, { user: "alice" });
    created.push({ id: info.resourceId, user: "alice", model: "SweepJob" });
    sweepIds.push(info.resourceId);
  }
});

afterAll(async () => {
  await spec?.close({ graceSeconds: 1 });
  await drop?.();
});

const newestFirst = (list: typeof created) => [...list].reverse().map((j) => j.id);

describe("jobs(...) across models", () => {
  it("lists every model's jobs, newest first, in pages that join up", async () => {
    const all = await jobs("admin", { first: 100 });
    expect(all.totalCount).toBe(10);
    expect(all.edges.map((e) => e.node.id)).toEqual(newestFirst(created));
    expect(new Set(all.edges.map((e) => e.node.__typename))).toEqual(
      new Set(["TrainingJob", "ScriptJob", "SweepJob"]),
    );
    const ids: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const conn: Conn = await jobs("admin", { first: 3, ...(after ? { after } : {}) });
      ids.push(...conn.edges.map((e) => e.node.id));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(ids).toEqual(newestFirst(created));
    const oldest = await jobs("admin", { first: 2, orderBy: { field: "CREATED_TIME", direction: "ASC" } });
    expect(oldest.edges.map((e) => e.node.id)).toEqual(created.slice(0, 2).map((j) => j.id));
  });

  it("filters by status, creator, time and model", async () => {
    const cancelled = await jobs("admin", { where: { status: ["CANCELLED"] } });
    expect(cancelled.edges.map((e) => e.node.id)).toEqual([created[0]?.id]);
    const bobs = await jobs("admin", { where: { createdBy: "bob" } });
    expect(bobs.totalCount).toBe(3);
    expect(new Set(bobs.edges.map((e) => e.node.__typename))).toEqual(new Set(["TrainingJob", "ScriptJob"]));
    const sweeps = await jobs("admin", { models: ["SweepJob", "script-job"] });
    expect(sweeps.totalCount).toBe(5);
    const future = await jobs("admin", { where: { createdAfter: "2999-01-01T00:00:00Z" } });
    expect(future.totalCount).toBe(0);
    const unknown = await gql<unknown>("admin", JOBS, { models: ["NopeJob"] });
    expect(unknown.errors?.[0]?.extensions?.code).toBe("MODEL_NOT_REGISTERED");
  });

  it("shows each caller only what each model's policy lets it read", async () => {
    const bob = await jobs("other", { first: 100 });
    expect(bob.totalCount).toBe(3);
    expect(bob.edges.every((e) => created.find((j) => j.id === e.node.id)?.user === "bob")).toBe(true);
    expect((await jobs("other", { where: { createdBy: "alice" } })).totalCount).toBe(0);
    const alice = await jobs("owner", { first: 100 });
    // Her SweepJobs are not listable by her (admins only): her training jobs only.
    expect(alice.edges.map((e) => e.node.__typename)).toEqual(["TrainingJob", "TrainingJob", "TrainingJob"]);
    const viewer = await jobs("viewer", { first: 100 });
    expect(viewer.totalCount).toBe(6);
  });

  it("is spec.listJobs in the library", async () => {
    const failedOrCancelled = await spec.listJobs({ status: ["failed", "cancelled"] });
    expect(failedOrCancelled.items.map((j) => j.info.resourceId)).toEqual([created[0]?.id]);
    expect(failedOrCancelled.items[0]?.data).toBeInstanceOf(TrainingJob);
    const page = await spec.listJobs({ models: [SweepJob], limit: 2, order: "asc" });
    expect(page.items.map((j) => j.info.resourceId)).toEqual(sweepIds.slice(0, 2));
    expect(page.totalCount).toBe(4);
    const next = await spec.listJobs({
      models: [SweepJob],
      limit: 2,
      order: "asc",
      after: page.nextCursor ?? "",
    });
    expect(next.items.map((j) => j.info.resourceId)).toEqual(sweepIds.slice(2));
    await expect(spec.listJobs({ models: ["NopeJob"] })).rejects.toThrow("model is not registered: NopeJob");
  });
});

describe("payload filters", () => {
  const SWEEPS = `query ($payload: SweepPayloadWhere, $where: JobWhere) {
    sweepJobs(payload: $payload, where: $where, first: 50, orderBy: { field: CREATED_TIME, direction: ASC }) {
      totalCount edges { node { id } }
    }
  }`;
  const sweeps = async (payload: Record<string, unknown>, caller: Caller = "admin") => {
    const reply = await gql<{ sweepJobs: Conn }>(caller, SWEEPS, { payload });
    return reply;
  };
  const idsOf = (reply: Reply<{ sweepJobs: Conn }>) => {
    expect(reply.errors).toBeUndefined();
    return reply.data?.sweepJobs.edges.map((e) => e.node.id);
  };

  it("GraphQL: equality, in, and ranges on integers, numbers and dates", async () => {
    expect(idsOf(await sweeps({ algo: { eq: "mlp" }, epochs: { gte: 3 } }))).toEqual(sweepIds.slice(1, 3));
    expect(idsOf(await sweeps({ algo: { in: ["svm"] } }))).toEqual([sweepIds[3]]);
    expect(idsOf(await sweeps({ rate: { lt: 0.1 } }))).toEqual([sweepIds[1], sweepIds[3]]);
    expect(idsOf(await sweeps({ gpu: { eq: true } }))).toEqual([sweepIds[0], sweepIds[2]]);
    expect(
      idsOf(await sweeps({ startAt: { gte: "2026-02-01T00:00:00Z", lt: "2026-04-01T00:00:00Z" } })),
    ).toEqual(sweepIds.slice(1, 3));
    expect(idsOf(await sweeps({ epochs: { gt: 1, lte: 5 }, rate: { gte: 0.5 } }))).toEqual([sweepIds[2]]);
    const counted = await sweeps({ epochs: { gte: 3 } });
    expect(counted.data?.sweepJobs.totalCount).toBe(3);
  });

  it("the library: mgr.list({ payload })", async () => {
    const mgr = spec.getResourceManager(SweepJob);
    const page = await mgr.list({ payload: { algo: "mlp", epochs: { gte: 3 } }, order: "asc" });
    expect(page.items.map((j) => j.info.resourceId)).toEqual(sweepIds.slice(1, 3));
    expect(page.totalCount).toBe(2);
    const dates = await mgr.list({
      payload: { startAt: { lt: new Date("2026-02-15T00:00:00Z") } },
      order: "asc",
    });
    expect(dates.items.map((j) => j.info.resourceId)).toEqual(sweepIds.slice(0, 2));
    const training = spec.getResourceManager(TrainingJob);
    expect((await training.list({ payload: { data_id: "d:4" } })).items.map((j) => j.info.createdBy)).toEqual(
      ["bob"],
    );
  });

  it("a bad filter is an error naming the field", async () => {
    const mgr = spec.getResourceManager(SweepJob);
    const fails = async (payload: Record<string, unknown>, path: string) => {
      const error = await mgr.list({ payload: payload as never }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "VALIDATION_FAILED" });
      expect((error as { issues: { path: unknown[] }[] }).issues.map((i) => i.path.join("."))).toEqual([
        path,
      ]);
    };
    await fails({ epochs: { gte: "three" } }, "payload.epochs.gte");
    await fails({ epochs: { gte: 2.5 } }, "payload.epochs.gte");
    await fails({ nope: 1 }, "payload.nope");
    await fails({ tags: "x" }, "payload.tags");
    await fails({ algo: { gt: "a" } }, "payload.algo.gt");
    await fails({ algo: "rf" }, "payload.algo.eq");
    await fails({ startAt: { lt: "not a date" } }, "payload.startAt.lt");
    const reply = await sweeps({ algo: { eq: "rf" } });
    expect(reply.errors?.[0]?.extensions?.code).toBe("VALIDATION_FAILED");
    expect(reply.errors?.[0]?.extensions?.fields?.map((f) => f.path)).toEqual(["payload.algo.eq"]);
    // GraphQL's own types reject a fraction for an Int field before jobstar sees it.
    const typed = await sweeps({ epochs: { gte: 2.5 } });
    expect(typed.errors?.[0]?.message).toContain("epochs");
  });

  it("permissions still filter a payload-filtered list", async () => {
    const LIST = `query ($payload: TrainingPayloadWhere) { trainingJobs(payload: $payload, first: 50) { totalCount edges { node { id } } } }`;
    const bob = await gql<{ trainingJobs: Conn }>("other", LIST, { payload: { algo: { eq: "mlp" } } });
    expect(bob.errors).toBeUndefined();
    // mlp: d:1 (alice), d:3 (alice), d:5 (bob): bob sees his own only.
    expect(bob.data?.trainingJobs.edges.map((e) => e.node.id)).toEqual([created[4]?.id]);
    const admin = await gql<{ trainingJobs: Conn }>("admin", LIST, { payload: { algo: { eq: "mlp" } } });
    expect(admin.data?.trainingJobs.totalCount).toBe(3);
    const denied = await sweeps({ algo: { eq: "mlp" } }, "viewer");
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
