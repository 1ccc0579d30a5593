// Claims of jobs read ahead: graphile-worker's local queue names the entries it fetched,
// one statement reads their jobs, and each claim is then its write alone. A row read ahead
// can be out of date by the time of its claim; these tests show such a claim is decided
// again on a fresh read, so the job is neither dropped nor claimed against a stale state.
import type postgres from "postgres";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ResourceManager, type Spec, TaskStatus } from "../../src/index.js";
import { JobRunner } from "../../src/queue/job-runner.js";
import type { QueueMessage } from "../../src/queue/message-queue.js";
import type { Runtime } from "../../src/resource/runtime.js";
import { ScriptJob } from "../fixtures/models.js";
import { freshDatabase } from "../support/database.js";
import { testSpec } from "../support/spec.js";
import { waitFor } from "../support/wait.js";

/** The claim's read of jobs (see store/queries/read-claimable.ts). */
const CLAIM_READ = "from jobstar.resources where resource_id = any";

/**
 * `sql` with every claim read counted: a spy on the real connection pool, whose
 * statements still run as they are.
 */
function countingReads(sql: postgres.Sql, counter: { reads: number }): postgres.Sql {
  return new Proxy(sql, {
    apply(target, self, args: unknown[]) {
      const strings = args[0];
      if (Array.isArray(strings) && strings.join("?").includes(CLAIM_READ)) counter.reads++;
      return Reflect.apply(target, self, args);
    },
  });
}

let db: Awaited<ReturnType<typeof freshDatabase>>;
let spec: Spec;
let mgr: ResourceManager<typeof ScriptJob>;
let runtime: Runtime;
const counter = { reads: 0 };

beforeEach(async () => {
  db = await freshDatabase();
  spec = testSpec(db.url, "graphile");
  mgr = spec.getResourceManager(ScriptJob);
  runtime = await spec.start();
  counter.reads = 0;
});

afterEach(async () => {
  await spec.close();
  await db.drop();
});

describe("a run loop given messages ahead of their delivery", () => {
  /** A runner of ScriptJob whose claim reads are counted. */
  function runner(): JobRunner {
    const model = spec.registeredModels().find((m) => m.schema.name === "ScriptJob");
    if (!model) throw new Error("ScriptJob is not registered");
    const database = { ...runtime.database, sql: countingReads(runtime.database.sql, counter) };
    return new JobRunner({ ...runtime, database, model });
  }

  async function created(n: number): Promise<QueueMessage[]> {
    const infos = await mgr.createMany(
      Array.from({ length: n }, () => ({ payload: { behaviour: "ok" as const } })),
    );
    return infos.map((info) => ({ model: "script-job", resourceId: info.resourceId, attempt: 0 }));
  }

  /** A runner, and the message of a new job that runner has read ahead (once the read is done). */
  async function readAheadOne(): Promise<[JobRunner, QueueMessage]> {
    const run = runner();
    const [message] = await created(1);
    if (!message) throw new Error("no job");
    run.readAhead([message]);
    await waitFor(
      async () => counter.reads,
      (n) => n === 1,
    );
    return [run, message];
  }

  async function statuses(messages: QueueMessage[]): Promise<string[]> {
    return Promise.all(messages.map(async (m) => (await mgr.get(m.resourceId)).data.status));
  }

  it("claims them without reading them again", async () => {
    const run = runner();
    const messages = await created(16);
    run.readAhead(messages);
    // Two batches of claims, as a local queue of 16 feeds 8 handler slots.
    await Promise.all(messages.slice(0, 8).map((m) => run.process(m)));
    await Promise.all(messages.slice(8).map((m) => run.process(m)));
    await run.drain();
    expect(await statuses(messages)).toEqual(messages.map(() => TaskStatus.COMPLETED));
    expect(counter.reads).toBe(1);
  });

  it("claims a job written after it was read ahead, on a fresh read", async () => {
    const [run, message] = await readAheadOne();
    // A write the read ahead did not see: a new revision of the still PENDING job.
    await runtime.database.sql`
      with r as (
        update jobstar.resources set current_revision_id = resource_id || ':2', total_revision_count = 2
        where resource_id = ${message.resourceId}
        returning resource_id, data, schema_version, created_by)
      insert into jobstar.revisions (revision_id, resource_id, number, parent_revision_id, schema_version,
        data, data_hash, status, created_time, created_by, updated_time, updated_by)
      select resource_id || ':2', resource_id, 2, resource_id || ':1', schema_version, data, 'test', 'stable',
        now(), created_by, now(), 'test'
      from r`;
    await run.process(message);
    await run.drain();
    const history = (await mgr.listRevisions(message.resourceId)).items;
    expect(history.map((r) => r.data.status)).toEqual([
      TaskStatus.PENDING,
      TaskStatus.PENDING,
      TaskStatus.PROCESSING,
      TaskStatus.COMPLETED,
    ]);
    expect(history[2]?.info.parentRevisionId).toBe(`${message.resourceId}:2`);
    expect(counter.reads).toBe(2);
  });

  it("does not run a job cancelled after it was read ahead", async () => {
    const [run, message] = await readAheadOne();
    await mgr.cancel(message.resourceId);
    await run.process(message);
    await run.drain();
    const history = (await mgr.listRevisions(message.resourceId)).items;
    expect(history.map((r) => r.data.status)).toEqual([TaskStatus.PENDING, TaskStatus.CANCELLED]);
  });
});

describe("graphile-worker's consumer", () => {
  it("reads the jobs of each fetch of its local queue ahead of their claims", async () => {
    const jobs = 160;
    // Every claim read of the process is counted, the run loop's included.
    (runtime.database as { sql: postgres.Sql }).sql = countingReads(runtime.database.sql, counter);
    await mgr.createMany(Array.from({ length: jobs }, () => ({ payload: { behaviour: "ok" as const } })));
    await mgr.startConsume({ block: false, concurrency: 8 });
    await waitFor(
      async () => (await mgr.list({ status: [TaskStatus.COMPLETED], limit: jobs })).items.length,
      (n) => n === jobs,
      30_000,
    );
    // A local queue of 16 entries feeds 8 slots: one read per fetch (10 fetches), where
    // reading at each claim takes one per batch of 8 (20 at least).
    expect(counter.reads).toBeGreaterThanOrEqual(jobs / 16);
    expect(counter.reads).toBeLessThan(jobs / 8);
  });
});
