// `npx tsx bench/payload-filter.ts`: the cost of payload filters on 100,000 jobs (JOBS), with
// and without a GIN index on data->'payload': a filtered list (page of 50 + total count) by
// mgr.list, medians of 5, the plans (EXPLAIN ANALYZE), the index's size and what it costs a
// create (CREATES sequential creates each way). DATABASE_URL: a server to make a scratch
// database on; else a private embedded PostgreSQL (durable settings).
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { z } from "zod";
import { Job, Schema, Spec } from "../src/index.js";
import { SimpleMessageQueueFactory } from "../src/message-queue.js";
import type { PayloadFilter } from "../src/model/payload-fields.js";
import { startEmbeddedPostgres } from "../src/store/embedded.js";

const JOBS = Number(process.env.JOBS ?? 100_000);
const CREATES = Number(process.env.CREATES ?? 2000);

class SweepJob extends Job(
  z.object({
    data_id: z.string(),
    algo: z.enum(["mlp", "random-forest"]),
    epochs: z.number().int(),
    rate: z.number(),
  }),
) {}

const dir = process.env.DATABASE_URL ? null : await fs.mkdtemp(path.join(os.tmpdir(), "jobstar-bench-"));
if (dir) await fs.chmod(dir, 0o755);
const server = dir ? await startEmbeddedPostgres({ dir, database: "postgres" }) : null;
const admin = process.env.DATABASE_URL ?? server?.url ?? "";
const name = `jobstar_bench_${randomBytes(4).toString("hex")}`;
const root = postgres(admin, { max: 1, onnotice: () => {} });
await root.unsafe(`create database ${name}`);
const url = new URL(admin);
url.pathname = `/${name}`;

const spec = new Spec().configure({
  databaseUrl: url.toString(),
  messageQueueFactory: new SimpleMessageQueueFactory(),
});
spec.addModel(new Schema(SweepJob, "v1"));
const mgr = spec.getResourceManager(SweepJob);
await spec.start();
const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });

// 100,000 finished jobs: algo half and half, epochs 1-10, rate 0-1, a unique data_id.
await sql`
  insert into jobstar.resources (resource_id, model, current_revision_id, total_revision_count, schema_version,
    data, status, retries, created_time, created_by, updated_time, updated_by)
  select 'sweep-job:' || i, 'sweep-job', 'sweep-job:' || i || ':1', 1, 'v1',
    jsonb_build_object('payload', jsonb_build_object('data_id', 'data:' || i,
      'algo', case when i % 2 = 0 then 'mlp' else 'random-forest' end, 'epochs', 1 + i % 10, 'rate', (i % 1000) / 1000.0),
      'status', 'completed', 'errmsg', null, 'artifact', null, 'retries', 0, 'maxRetries', 3,
      'periodicIntervalSeconds', null, 'periodicMaxRuns', null, 'periodicRuns', 0, 'periodicInitialDelaySeconds', null,
      'lastHeartbeatAt', null, 'partitionKey', null, 'idempotencyKey', null),
    'completed', 0, now() - (i || ' seconds')::interval, 'bench', now(), 'bench'
  from generate_series(1, ${JOBS}) i`;
await sql`
  insert into jobstar.revisions (revision_id, resource_id, number, parent_revision_id, schema_version, data, data_hash,
    status, created_time, created_by, updated_time, updated_by)
  select current_revision_id, resource_id, 1, null, 'v1', data, 'x', 'stable', created_time, 'bench', updated_time, 'bench'
  from jobstar.resources`;
await sql`analyze`;

const cases: Record<string, PayloadFilter> = {
  "no payload filter": {},
  "algo = mlp (50%)": { algo: "mlp" },
  "algo = mlp, epochs >= 8 (10%)": { algo: "mlp", epochs: { gte: 8 } },
  "data_id = one job (0.001%)": { data_id: "data:54321" },
  "rate < 0.01 (1%)": { rate: { lt: 0.01 } },
};
const SQL_OF: Record<string, string> = {
  "algo = mlp, epochs >= 8 (10%)": `data->'payload' @> '{"algo":"mlp"}' and (case when jsonb_typeof(data->'payload'->'epochs') = 'number' then (data->'payload'->'epochs')::numeric end) >= 8`,
  "data_id = one job (0.001%)": `data->'payload' @> '{"data_id":"data:54321"}'`,
};

async function timeList(filter: PayloadFilter): Promise<{ ms: number; total: number }> {
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const page = await mgr.list({ payload: filter, limit: 50 });
    times.push(performance.now() - start);
    total = page.totalCount;
  }
  times.sort((a, b) => a - b);
  return { ms: times[2] ?? 0, total };
}

async function plans(): Promise<void> {
  for (const [label, where] of Object.entries(SQL_OF)) {
    for (const query of [
      `select resource_id from jobstar.resources where model = 'sweep-job' and not is_deleted and ${where} order by created_time desc, resource_id desc limit 51`,
      `select count(*) from jobstar.resources where model = 'sweep-job' and not is_deleted and ${where}`,
    ]) {
      const rows = await sql.unsafe(`explain (analyze, costs off, timing on) ${query}`);
      console.log(`\n${label}: ${query.startsWith("select count") ? "count" : "page"}`);
      for (const row of rows) console.log(`  ${row["QUERY PLAN"]}`);
    }
  }
}

async function timeCreates(): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < CREATES; i++) {
    await mgr.create({
      payload: { data_id: `new:${i}:${randomBytes(3).toString("hex")}`, algo: "mlp", epochs: 3, rate: 0.5 },
    });
  }
  return (performance.now() - start) / CREATES;
}

const report = async (title: string) => {
  console.log(`\n== ${title}`);
  for (const [label, filter] of Object.entries(cases)) {
    const { ms, total } = await timeList(filter);
    console.log(`${label.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms  (total ${total})`);
  }
  await plans();
};

await report(`${JOBS} jobs, no payload index`);
const withoutIndex = await timeCreates();
const indexStart = performance.now();
await sql`create index resources_payload_gin on jobstar.resources using gin ((data->'payload') jsonb_path_ops)`;
const indexBuild = performance.now() - indexStart;
await sql`analyze jobstar.resources`;
const [{ size } = { size: "?" }] =
  await sql`select pg_size_pretty(pg_relation_size('jobstar.resources_payload_gin')) as size`;
await report(`with GIN (data->'payload') jsonb_path_ops: built in ${indexBuild.toFixed(0)} ms, ${size}`);
const withIndex = await timeCreates();
// And once more without it, for the machine's drift between the two.
await sql`drop index jobstar.resources_payload_gin`;
const withoutAgain = await timeCreates();
console.log(
  `\ncreate (one transaction each, ${CREATES} sequential, mean): ${withoutIndex.toFixed(2)} ms without the index, ` +
    `${withIndex.toFixed(2)} ms with it, ${withoutAgain.toFixed(2)} ms without it again`,
);

await sql.end();
await spec.close({ graceSeconds: 0 });
await root.unsafe(`drop database ${name} with (force)`);
await root.end();
await server?.stop();
if (dir) await fs.rm(dir, { recursive: true, force: true });
