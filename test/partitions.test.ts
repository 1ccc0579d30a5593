// Serial partitions: jobs of one model with one partitionKey never run at the same time
// (across processes) and start in submission order; other jobs are not held up.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ResourceManager, type Spec, TaskStatus } from "../src/index.js";
import { ScriptJob } from "./fixtures/models.js";
import { removeBrokerQueues } from "./support/brokers.js";
import { type Child, spawnTs, stopChild, waitForOutput } from "./support/child.js";
import { freshDatabase } from "./support/database.js";
import { BACKENDS, type Backend, queuePrefix, skipReason, testSpec } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

const terminal: string[] = [TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED];

/** A finished job's run: its partition, when it was claimed and when it ended, in submission order. */
interface Span {
  id: string;
  order: number;
  key: string | null;
  start: number;
  end: number;
  statuses: string[];
  retries: number;
}

async function spans(mgr: ResourceManager, ids: string[], keys: (string | null)[]): Promise<Span[]> {
  return Promise.all(
    ids.map(async (id, order) => {
      const history = (await mgr.listRevisions(id)).items;
      const claim = history.find((r) => r.data.status === TaskStatus.PROCESSING);
      const last = history.at(-1);
      if (!claim || !last) throw new Error(`${id} never ran`);
      return {
        id,
        order,
        key: keys[order] ?? null,
        start: claim.info.createdTime.getTime(),
        end: last.info.createdTime.getTime(),
        statuses: history.map((r) => r.data.status),
        retries: last.data.retries,
      };
    }),
  );
}

/** Fails if two runs of one partition overlap, or a partition's runs started out of submission order. */
function expectSerial(all: Span[]): void {
  const byKey = new Map<string, Span[]>();
  for (const span of all) {
    if (span.key === null) continue;
    byKey.set(span.key, [...(byKey.get(span.key) ?? []), span]);
  }
  for (const [key, runs] of byKey) {
    const byStart = [...runs].sort((a, b) => a.start - b.start);
    expect(
      byStart.map((r) => r.order),
      `partition ${key} started in submission order`,
    ).toEqual(runs.map((r) => r.order));
    for (let i = 1; i < byStart.length; i++) {
      const previous = byStart[i - 1] as Span;
      const next = byStart[i] as Span;
      expect(next.start, `${key}: run ${i} starts after run ${i - 1} ended`).toBeGreaterThanOrEqual(
        previous.end,
      );
    }
  }
}

const settled = (mgr: ResourceManager, ids: string[], timeout = 60_000) =>
  waitFor(
    () => Promise.all(ids.map((id) => mgr.get(id))),
    (jobs) => jobs.every((job) => terminal.includes(job.data.status)),
    timeout,
  );

describe.each<Backend>(BACKENDS)("serial partitions in one process on the %s queue", (backend) => {
  if (skipReason(backend)) return void it.skip(`${backend}: ${skipReason(backend)}`);
  let spec: Spec;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    spec = testSpec(db.url, backend);
    await spec.getResourceManager(ScriptJob).startConsume({ block: false, concurrency: 4 });
  });

  afterAll(async () => {
    await spec.close();
    await drop();
    await removeBrokerQueues(queuePrefix(backend), ["script-job"]);
  });

  it("runs a partition's jobs one at a time in submission order, without retries or failures", async () => {
    const mgr = spec.getResourceManager(ScriptJob);
    const keys = Array.from({ length: 24 }, (_, i) => (i % 3 === 2 ? null : `k${i % 3}`));
    // Both ways of creating: one list, and single creates of concurrent callers.
    const first = await mgr.createMany(
      keys
        .slice(0, 12)
        .map((partitionKey) => ({ payload: { behaviour: "sleep" as const, ms: 30 }, partitionKey })),
    );
    const rest = [];
    for (const partitionKey of keys.slice(12))
      rest.push(await mgr.create({ payload: { behaviour: "sleep", ms: 30 }, partitionKey }));
    const ids = [...first, ...rest].map((info) => info.resourceId);
    await settled(mgr, ids);
    const runs = await spans(mgr, ids, keys);
    expectSerial(runs);
    // Waiting for the partition left no trace: no retry spent, no extra revision.
    for (const run of runs) {
      expect(run.statuses).toEqual(["pending", "processing", "completed"]);
      expect(run.retries).toBe(0);
    }
  });

  it("does not hold up jobs without a key or with another key", async () => {
    const mgr = spec.getResourceManager(ScriptJob);
    const busy = await mgr.create({
      payload: { behaviour: "sleep", ms: 2000 },
      partitionKey: "busy",
      timeoutSeconds: 10, // the model allows 1 s
    });
    const queued = await mgr.create({ payload: { behaviour: "ok" }, partitionKey: "busy" });
    await waitFor(
      () => mgr.get(busy.resourceId),
      (job) => job.data.status === TaskStatus.PROCESSING,
    );
    const others = await Promise.all([
      mgr.create({ payload: { behaviour: "ok" } }),
      mgr.create({ payload: { behaviour: "ok" }, partitionKey: "other" }),
    ]);
    await settled(
      mgr,
      others.map((info) => info.resourceId),
      1500,
    );
    // Still waiting its turn, unharmed.
    expect((await mgr.get(queued.resourceId)).data).toMatchObject({
      status: "pending",
      retries: 0,
      errmsg: null,
    });
    expect((await mgr.get(busy.resourceId)).data.status).toBe("processing");
    await settled(mgr, [busy.resourceId, queued.resourceId]);
    expectSerial(await spans(mgr, [busy.resourceId, queued.resourceId], ["busy", "busy"]));
  });

  it("hands a partition on when its running job is cancelled", async () => {
    const mgr = spec.getResourceManager(ScriptJob);
    const hang = await mgr.create({ payload: { behaviour: "hang" }, partitionKey: "cancel" });
    const next = await mgr.create({ payload: { behaviour: "ok" }, partitionKey: "cancel" });
    await waitFor(
      () => mgr.get(hang.resourceId),
      (job) => job.data.status === TaskStatus.PROCESSING,
    );
    await mgr.cancel(hang.resourceId);
    const [, done] = await settled(mgr, [hang.resourceId, next.resourceId], 10_000);
    expect(done?.data.status).toBe("completed");
  });
});

describe("a partition whose next job lost its queue message", () => {
  it("is resumed by the sweeper", async () => {
    const { url, drop } = await freshDatabase();
    const spec = testSpec(url, "graphile", { staleAfter: 1 });
    try {
      const mgr = spec.getResourceManager(ScriptJob);
      const info = await mgr.create({ payload: { behaviour: "ok" }, partitionKey: "lost" });
      // The message is gone (as when a parked delivery races with the hand-over).
      const { database } = await spec.start();
      await database.sql`select graphile_worker.remove_job(${`${info.resourceId}#0`})`;
      await mgr.startConsume({ block: false });
      const [done] = await settled(mgr, [info.resourceId], 15_000);
      expect(done?.data.status).toBe("completed");
    } finally {
      await spec.close();
      await drop();
    }
  });
});

describe("the partition-key index", () => {
  it("holds only jobs with a key, and still serves a listing by key", async () => {
    const { url, drop } = await freshDatabase();
    const spec = testSpec(url, "graphile");
    try {
      const mgr = spec.getResourceManager(ScriptJob);
      // Unkeyed jobs cost every write of their row nothing in this index.
      await mgr.createMany(Array.from({ length: 2000 }, () => ({ payload: { behaviour: "ok" } })));
      const keyed = await mgr.createMany(
        ["a", "b", "a"].map((partitionKey) => ({ payload: { behaviour: "ok" }, partitionKey })),
      );
      const { database } = await spec.start();
      const [sizes] = await database.sql<{ keyed: number; all: number }[]>`
        select pg_relation_size('jobstar.resources_partition_key_idx')::int as keyed,
               pg_relation_size('jobstar.resources_model_created_idx')::int as all`;
      // A metapage and one leaf; the index over every row needs many more.
      expect(sizes?.keyed).toBeLessThanOrEqual(2 * 8192);
      expect(sizes?.all).toBeGreaterThan(4 * 8192);
      const listed = await mgr.list({ partitionKey: "a" });
      expect(listed.items.map((job) => job.info.resourceId).sort()).toEqual(
        [keyed[0]?.resourceId, keyed[2]?.resourceId].sort(),
      );
    } finally {
      await spec.close();
      await drop();
    }
  });
});

describe("serial partitions across worker processes", () => {
  const WORKER = "test/fixtures/worker.ts";
  let spec: Spec;
  let url: string;
  let drop: () => Promise<void>;
  const children: Child[] = [];

  beforeAll(async () => {
    ({ url, drop } = await freshDatabase());
    // This process creates and reads (and sweeps: a job silent for 3 s is recovered).
    spec = testSpec(url, "graphile", { staleAfter: 3 });
    await spec.start();
  });

  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGKILL")));
  });

  afterAll(async () => {
    await spec?.close();
    await drop?.();
  });

  async function startWorkers(n: number): Promise<Child[]> {
    const started = Array.from({ length: n }, () =>
      spawnTs(WORKER, { DATABASE_URL: url, CONCURRENCY: "4", LOCAL_QUEUE: "8" }),
    );
    children.push(...started);
    await Promise.all(started.map((child) => waitForOutput(child, "ready")));
    return started;
  }

  it("keeps 100 jobs over 5 keys serial and in order on 4 workers", async () => {
    await startWorkers(4);
    const mgr = spec.getResourceManager(ScriptJob);
    const keys = Array.from({ length: 100 }, (_, i) => `tenant-${i % 5}`);
    const unkeyed = Array.from({ length: 10 }, () => null);
    const infos = await mgr.createMany(
      [...keys, ...unkeyed].map((partitionKey) => ({
        payload: { behaviour: "sleep" as const, ms: 20 },
        partitionKey,
      })),
    );
    const ids = infos.map((info) => info.resourceId);
    await settled(mgr, ids, 120_000);
    const runs = await spans(mgr, ids, [...keys, ...unkeyed]);
    expectSerial(runs);
    for (const run of runs) {
      expect(run.statuses).toEqual(["pending", "processing", "completed"]);
      expect(run.retries).toBe(0);
    }
    // Unkeyed jobs, submitted last, did not wait for the partitions' queues to drain.
    const lastKeyed = Math.max(...runs.filter((r) => r.key !== null).map((r) => r.end));
    const unkeyedDone = Math.max(...runs.filter((r) => r.key === null).map((r) => r.end));
    expect(unkeyedDone).toBeLessThan(lastKeyed);
  });

  it("continues a partition after the worker running its job is killed", async () => {
    const [victim] = await startWorkers(1);
    const mgr = spec.getResourceManager(ScriptJob);
    // The first run of the first job sleeps 30 s: the worker dies holding the partition.
    const infos = await mgr.createMany([
      { payload: { behaviour: "sleep-first-run", ms: 30_000 }, partitionKey: "crash" },
      ...Array.from({ length: 3 }, () => ({ payload: { behaviour: "ok" as const }, partitionKey: "crash" })),
    ]);
    const ids = infos.map((info) => info.resourceId);
    await waitFor(
      () => mgr.get(ids[0] as string),
      (job) => job.data.status === TaskStatus.PROCESSING,
    );
    await stopChild(victim as Child, "SIGKILL");
    await startWorkers(1);
    const jobs = await settled(mgr, ids, 60_000);
    expect(jobs.map((job) => job.data.status)).toEqual(Array(4).fill("completed"));
    // The recovered job ran again first (a retry spent by the recovery), then the rest in order.
    expect(jobs[0]?.data.retries).toBe(1);
    expectSerial(
      await spans(
        mgr,
        ids,
        ids.map(() => "crash"),
      ),
    );
  });
});
