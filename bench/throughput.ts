// `npm run bench`: end-to-end throughput of the two queues, side by side in one run,
// on DATABASE_URL or a throwaway embedded PostgreSQL. Each round creates JOBS no-op
// jobs (each its own transaction) while a consumer of CONCURRENCY runs them, and
// measures the time until every job is COMPLETED. Bounded: JOBS (default 500) x 2.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { z } from "zod";
import { Job, Schema, Spec, TaskStatus } from "../src/index.js";
import {
  GraphileWorkerMessageQueueFactory,
  type MessageQueueFactory,
  SimpleMessageQueueFactory,
} from "../src/message-queue.js";
import { startEmbeddedPostgres } from "../src/store/embedded.js";

const JOBS = Number(process.env.JOBS ?? 500);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);

class NoopJob extends Job(z.object({ n: z.number().int() })) {}

async function round(adminUrl: string, name: string, factory: MessageQueueFactory): Promise<number> {
  const database = `jobstar_bench_${name}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const spec = new Spec().configure({ databaseUrl: url.toString(), messageQueueFactory: factory });
  spec.addModel(new Schema(NoopJob, "v1"), { jobHandler: () => {} });
  const mgr = spec.getResourceManager(NoopJob);
  await mgr.startConsume({ block: false, concurrency: CONCURRENCY });
  const started = performance.now();
  for (let i = 0; i < JOBS; i++) await mgr.create({ payload: { n: i } });
  while ((await mgr.list({ status: [TaskStatus.COMPLETED], limit: 1 })).totalCount < JOBS) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await spec.close();
  await admin.unsafe(`drop database ${database} with (force)`);
  await admin.end();
  return seconds;
}

let adminUrl = process.env.DATABASE_URL;
let stop = async () => {};
if (!adminUrl) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jobstar-bench-"));
  await fs.chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({ dir, database: "postgres" });
  adminUrl = server.url;
  stop = async () => {
    await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
try {
  const simple = await round(adminUrl, "simple", new SimpleMessageQueueFactory());
  const graphile = await round(adminUrl, "graphile", new GraphileWorkerMessageQueueFactory());
  console.log(
    `jobs per queue: ${JOBS}, consumer concurrency: ${CONCURRENCY}, node ${process.version}, ${os.cpus().length} cores`,
  );
  console.log(
    `simple:   ${simple.toFixed(2)} s, ${(JOBS / simple).toFixed(0)} jobs/s (create + run + complete)`,
  );
  console.log(`graphile: ${graphile.toFixed(2)} s, ${(JOBS / graphile).toFixed(0)} jobs/s`);
  console.log(`graphile / simple time: ${(graphile / simple).toFixed(2)}x`);
} finally {
  await stop();
}
