// Export and import between two real databases: a round trip gives back the same ids,
// revisions and logs; importing again changes nothing; a finished job does not run again,
// a pending one is enqueued (graphile-worker) and runs; 5,000 jobs go through in batches.
//
// Memory stays bounded by the batch, not the dump: export reads 500 jobs at a time by
// keyset pagination (resource_id > last) inside one snapshot and awaits 'drain' whenever
// the destination is full (the slow sink here forces that path); import pulls lines from
// the stream only as it consumes them (the source is read no faster than the database
// takes it) and writes 500 jobs per transaction. The test keeps the dump in memory only
// to compare it.
import { Readable, Writable } from "node:stream";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Spec } from "../../src/index.js";
import { ScriptJob, TrainingJob } from "../fixtures/models.js";
import { freshDatabase } from "../support/database.js";
import { testSpec } from "../support/spec.js";
import { waitFor } from "../support/wait.js";

const BULK = 5000;

let source: Spec;
let target: Spec;
let sourceSql: postgres.Sql;
let targetSql: postgres.Sql;
const drops: (() => Promise<void>)[] = [];
let dump = "";
let completedId = "";
let pendingId = "";

/** A writable that takes its time (so export must wait for 'drain') and keeps what it got. */
function slowSink(chunks: string[]): Writable {
  return new Writable({
    highWaterMark: 4096,
    decodeStrings: false,
    write(chunk: string, _encoding, done) {
      chunks.push(chunk);
      setImmediate(done);
    },
  });
}

/** Every row of the three tables, in a stable order (log ids are each database's own). */
async function contents(sql: postgres.Sql) {
  // Without seq: each database numbers submissions itself.
  const resources = (await sql`select * from jobstar.resources order by resource_id`).map(
    ({ seq: _seq, ...row }) => row,
  );
  const revisions = await sql`select * from jobstar.revisions order by revision_id`;
  const logs =
    await sql`select resource_id, run, time, level, message from jobstar.job_logs order by resource_id, id`;
  return { resources, revisions, logs };
}

beforeAll(async () => {
  const [a, b] = [await freshDatabase(), await freshDatabase()];
  drops.push(a.drop, b.drop);
  source = testSpec(a.url, "simple");
  target = testSpec(b.url, "graphile");
  sourceSql = postgres(a.url, { max: 2, onnotice: () => {} });
  targetSql = postgres(b.url, { max: 2, onnotice: () => {} });

  const training = source.getResourceManager(TrainingJob);
  await training.startConsume({ block: false });
  const done = await training.create(
    { payload: { data_id: "d:1", algo: "mlp", params: { n: 1 } } },
    { user: "alice" },
  );
  completedId = done.resourceId;
  await waitFor(
    () => training.get(completedId),
    (job) => job.data.status === "completed",
  );
  await training.rerun(completedId, { user: "bob" });
  await waitFor(
    () => training.getMeta(completedId),
    (meta) => meta.totalRevisionCount === 6,
  );
  await training.stopConsume();
  // No ScriptJob consumer on the source: this one stays pending, another is cancelled.
  const scripts = source.getResourceManager(ScriptJob);
  pendingId = (await scripts.create({ payload: { behaviour: "ok" } }, { user: "carol" })).resourceId;
  const cancelled = await scripts.create({ payload: { behaviour: "ok" }, idempotencyKey: "once" });
  await scripts.cancel(cancelled.resourceId);
  // 5,000 finished jobs, written directly (copies of the completed one) to keep the test quick.
  await sourceSql`
    insert into jobstar.resources (resource_id, model, current_revision_id, total_revision_count, schema_version,
      data, status, retries, attempt, created_time, created_by, updated_time, updated_by)
    select 'training-job:bulk-' || lpad(i::text, 5, '0'), 'training-job', 'training-job:bulk-' || lpad(i::text, 5, '0') || ':1',
      1, 'v1', data, 'completed', 0, 1, created_time, 'bulk', updated_time, 'bulk'
    from jobstar.resources, generate_series(1, ${BULK}) i where resource_id = ${completedId}`;
  await sourceSql`
    insert into jobstar.revisions (revision_id, resource_id, number, parent_revision_id, schema_version, data,
      data_hash, status, created_time, created_by, updated_time, updated_by)
    select r.current_revision_id, r.resource_id, 1, null, 'v1', r.data, 'hash', 'stable', r.created_time, 'bulk',
      r.updated_time, 'bulk'
    from jobstar.resources r where r.created_by = 'bulk'`;
  await sourceSql`
    insert into jobstar.job_logs (resource_id, run, time, level, message)
    select resource_id, 1, created_time, 'info', 'bulk line ' || resource_id from jobstar.resources where created_by = 'bulk'`;
});

afterAll(async () => {
  await source?.close({ graceSeconds: 1 });
  await target?.close({ graceSeconds: 1 });
  await sourceSql?.end();
  await targetSql?.end();
  for (const drop of drops) await drop();
});

describe("export and import", () => {
  it("exports one line per job, waiting for a slow destination", async () => {
    const chunks: string[] = [];
    const count = await source.exportJobs(slowSink(chunks));
    dump = chunks.join("");
    expect(count).toBe(BULK + 3);
    const lines = dump.trimEnd().split("\n");
    expect(lines).toHaveLength(BULK + 3);
    const first = JSON.parse(lines.find((l) => l.includes(completedId)) ?? "{}") as {
      revisions: unknown[];
      logs: unknown[];
    };
    expect(first.revisions).toHaveLength(6);
    expect(first.logs).toHaveLength(2);
    // --model: only that model's jobs.
    const only: string[] = [];
    expect(await source.exportJobs(slowSink(only), { models: [ScriptJob] })).toBe(2);
  });

  it("imports into a fresh database: the same resources, revisions and logs", async () => {
    // Fed in small uneven pieces: lines are split across chunks.
    const pieces = dump.match(/[\s\S]{1,7919}/g) ?? [];
    const result = await target.importJobs(Readable.from(pieces));
    expect(result).toEqual({ read: BULK + 3, imported: BULK + 3, skipped: 0, enqueued: 1 });
    expect(await contents(targetSql)).toEqual(await contents(sourceSql));
    // The pending job, and only it, is on the queue.
    const queued = await targetSql`select payload from graphile_worker._private_jobs`;
    expect(queued.map((q) => (q.payload as { resourceId: string }).resourceId)).toEqual([pendingId]);
  });

  it("importing again changes nothing", async () => {
    const before = await contents(targetSql);
    const result = await target.importJobs(Readable.from([dump]));
    expect(result).toEqual({ read: BULK + 3, imported: 0, skipped: BULK + 3, enqueued: 0 });
    expect(await contents(targetSql)).toEqual(before);
    expect((await targetSql`select count(*)::int as n from graphile_worker.jobs`)[0]?.n).toBe(1);
  });

  it("the pending job runs; the finished ones do not run again", async () => {
    await target.getResourceManager(ScriptJob).startConsume({ block: false });
    await target.getResourceManager(TrainingJob).startConsume({ block: false });
    const scripts = target.getResourceManager(ScriptJob);
    const ran = await waitFor(
      () => scripts.get(pendingId),
      (job) => job.data.status === "completed",
    );
    expect(ran.data.artifact).toEqual({ value: 42 });
    expect(ran.info.createdBy).toBe("carol");
    // Give a wrongly queued finished job time to be claimed, then check nothing moved.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const meta = await target.getResourceManager(TrainingJob).getMeta(completedId);
    expect(meta.totalRevisionCount).toBe(6);
    const bulk =
      await targetSql`select count(*)::int as n from jobstar.revisions where resource_id like 'training-job:bulk-%'`;
    expect(bulk[0]?.n).toBe(BULK);
  });

  it("a bad line is refused with its line number and field; an unknown model too", async () => {
    const good = dump.split("\n")[0] ?? "";
    const broken = good.replace('"createdBy":', '"createdBy":0,"x":');
    await expect(
      target.importJobs(Readable.from([`${good}\n${broken.replace(/"status":"[a-z]+",/, "")}\n`])),
    ).rejects.toThrow(/line 2/);
    const other = good.replace(/"model":"[a-z-]+"/, '"model":"nope-job"');
    await expect(target.importJobs(Readable.from([other]))).rejects.toThrow(
      /line 1.*nope-job is not a registered model/,
    );
    await expect(target.importJobs(Readable.from(["{oops\n"]))).rejects.toThrow(/line 1: is not JSON/);
  });
});
