// Retention: finished jobs unchanged for longer than finishedAfterDays are deleted with
// their revisions and logs, in batches; recent and unfinished jobs are kept; two processes
// pruning at once delete each job once; without the setting nothing is deleted.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RetentionOptions, Schema, Spec } from "../src/index.js";
import { ScriptJob, script, TrainingJob, training } from "./fixtures/models.js";
import { freshDatabase } from "./support/database.js";
import { queueFactory } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

let url = "";
let drop: () => Promise<void>;
let sql: postgres.Sql;
const specs: Spec[] = [];

function specWith(retention?: RetentionOptions): Spec {
  const spec = new Spec().configure({
    databaseUrl: url,
    messageQueueFactory: queueFactory("simple"),
    ...(retention ? { retention } : {}),
  });
  spec.addModel(new Schema(TrainingJob, "v1"), { jobHandler: training });
  spec.addModel(new Schema(ScriptJob, "v1"), { jobHandler: script });
  specs.push(spec);
  return spec;
}

const count = async (table: string, ids: string[]) =>
  (await sql`select count(*)::int as n from ${sql(`jobstar.${table}`)} where resource_id in ${sql(ids)}`)[0]
    ?.n as number;

/** Makes the jobs look unchanged for `days` days. */
const age = (ids: string[], days: number) =>
  sql`update jobstar.resources set updated_time = now() - ${`${days} days`}::interval where resource_id in ${sql(ids)}`;

async function completedTrainingJobs(spec: Spec, n: number): Promise<string[]> {
  const mgr = spec.getResourceManager(TrainingJob);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await mgr.create({ payload: { data_id: `d:${i}`, algo: "mlp", params: {} } })).resourceId);
  }
  await waitFor(
    () => mgr.list({ status: ["completed"], limit: 1000 }),
    (page) => ids.every((id) => page.items.some((j) => j.info.resourceId === id)),
  );
  return ids;
}

beforeAll(async () => {
  const db = await freshDatabase();
  url = db.url;
  drop = db.drop;
  sql = postgres(url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  for (const spec of specs) await spec.close({ graceSeconds: 1 });
  await sql?.end();
  await drop?.();
});

describe("retention", () => {
  it("deletes old finished jobs with their revisions and logs, in batches, and keeps the rest", async () => {
    const spec = specWith({ finishedAfterDays: 30, batchSize: 2, intervalSeconds: 3600 });
    await spec.getResourceManager(TrainingJob).startConsume({ block: false });
    const old = await completedTrainingJobs(spec, 5);
    const recent = await completedTrainingJobs(spec, 1);
    const scripts = spec.getResourceManager(ScriptJob);
    const cancelled = (await scripts.create({ payload: { behaviour: "ok" } })).resourceId;
    await scripts.cancel(cancelled);
    // No ScriptJob consumer: these stay pending, however old.
    const pending = (await scripts.create({ payload: { behaviour: "ok" } })).resourceId;
    await age([...old, cancelled, pending], 40);
    await age(recent, 29);
    expect(await count("job_logs", old)).toBe(5);
    expect(await count("revisions", old)).toBe(15);

    const result = await spec.pruneFinishedJobs();
    // training-job: 2 + 2 + 1 (the short batch ends it); script-job: 1.
    expect(result).toEqual({ deleted: 6, batches: 4 });
    for (const table of ["resources", "revisions", "job_logs"]) {
      expect(await count(table, [...old, cancelled]), table).toBe(0);
    }
    expect(await count("resources", [...recent, pending])).toBe(2);
    expect(await count("revisions", recent)).toBe(3);
    expect(await count("job_logs", recent)).toBe(1);
    expect(await spec.pruneFinishedJobs()).toEqual({ deleted: 0, batches: 2 });
    await spec.getResourceManager(TrainingJob).stopConsume();
  });

  it("two processes pruning at once delete each job once", async () => {
    const first = specs[0] as Spec;
    await first.getResourceManager(TrainingJob).startConsume({ block: false, concurrency: 4 });
    await completedTrainingJobs(first, 30);
    await first.getResourceManager(TrainingJob).stopConsume();
    const rows = await sql`select resource_id from jobstar.resources where status = 'completed'`;
    const ids = rows.map((r) => r.resource_id as string);
    expect(ids.length).toBe(31);
    await age(ids, 400);
    const second = specWith({ finishedAfterDays: 30, batchSize: 3, intervalSeconds: 3600 });
    const [a, b] = await Promise.all([first.pruneFinishedJobs(), second.pruneFinishedJobs()]);
    expect(a.deleted + b.deleted).toBe(ids.length);
    expect(await count("resources", ids)).toBe(0);
    expect(await count("revisions", ids)).toBe(0);
  });

  it("is off by default; a bad setting is refused at configure()", async () => {
    const mgr = specWith().getResourceManager(ScriptJob);
    const id = (await mgr.create({ payload: { behaviour: "ok" } })).resourceId;
    await mgr.cancel(id);
    await age([id], 10_000);
    expect(await (specs.at(-1) as Spec).pruneFinishedJobs()).toEqual({ deleted: 0, batches: 0 });
    expect(await count("resources", [id])).toBe(1);
    expect(() => new Spec().configure({ retention: { finishedAfterDays: 0 } })).toThrow(
      "retention.finishedAfterDays must be > 0",
    );
    expect(() => new Spec().configure({ retention: { finishedAfterDays: 1, batchSize: 0 } })).toThrow(
      "retention.batchSize must be an integer >= 1",
    );
  });
});
