// `npx tsx bench/partitions.ts`: what serial partitions cost. Queues JOBS (2000) no-op
// jobs spread over 0 (no key), 1, 10 and 1000 partition keys, then times one worker
// process (CONCURRENCY 8, graphile-worker queue, local queue on) until every job is done.
// DATABASE_URL: a server to make scratch databases on; else a private embedded PostgreSQL.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import postgres from "postgres";
import { Spec } from "../src/index.js";
import { GraphileWorkerMessageQueueFactory } from "../src/message-queue.js";
import { startEmbeddedPostgres } from "../src/store/embedded.js";
import { spawnTs, waitForOutput } from "../test/support/child.js";
import { addNoopModel, NoopJob } from "./noop-model.js";

const JOBS = Number(process.env.JOBS ?? 2000);
const CONCURRENCY = String(process.env.CONCURRENCY ?? 8);
const KEYS = (process.env.KEYS ?? "0,1,10,1000").split(",").map(Number);

const server = process.env.DATABASE_URL ? null : await embedded();
const admin = process.env.DATABASE_URL ?? server?.url ?? "";

for (const keys of KEYS) {
  const rate = await measure(keys);
  console.log(`${JOBS} no-op jobs over ${keys === 0 ? "no key" : `${keys} keys`}: ${rate.toFixed(0)} jobs/s`);
}
await server?.stop();
process.exit(0);

async function measure(keys: number): Promise<number> {
  const { url, drop } = await scratch();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const spec = new Spec().configure({
      databaseUrl: url,
      messageQueueFactory: new GraphileWorkerMessageQueueFactory(),
      logger: pino({ level: "error" }),
    });
    addNoopModel(spec);
    const mgr = spec.getResourceManager(NoopJob);
    for (let i = 0; i < JOBS; i += 500) {
      await mgr.createMany(
        Array.from({ length: Math.min(500, JOBS - i) }, (_, k) => ({
          payload: { n: i + k },
          partitionKey: keys === 0 ? null : `key-${(i + k) % keys}`,
        })),
      );
    }
    await spec.close();
    const worker = spawnTs("bench/processing-worker.ts", { DATABASE_URL: url, CONCURRENCY, MODE: "jobstar" });
    await waitForOutput(worker, "ready", 120_000);
    const started = performance.now();
    for (;;) {
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from jobstar.resources where status <> 'completed'`;
      if (row?.n === 0) break;
      await sleep(20);
    }
    const seconds = (performance.now() - started) / 1000;
    worker.process.kill("SIGTERM");
    await Promise.race([worker.exited, sleep(10_000)]);
    return JOBS / seconds;
  } finally {
    await sql.end();
    await drop();
  }
}

async function scratch(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `jobstar_bench_${randomBytes(4).toString("hex")}`;
  const client = postgres(admin, { max: 1, onnotice: () => {} });
  await client.unsafe(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = postgres(admin, { max: 1, onnotice: () => {} });
      await c.unsafe(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

async function embedded() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jobstar-bench-"));
  await fs.chmod(dir, 0o755);
  const started = await startEmbeddedPostgres({ dir, database: "postgres" });
  return {
    url: started.url,
    stop: async () => {
      await started.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
