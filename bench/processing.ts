// `npx tsx bench/processing.ts`: processing throughput of jobstar (full revision history)
// and raw graphile-worker 0.17, side by side on one database server, interleaved, medians
// of REPS (3). Each rep queues JOBS (5000) no-op jobs first, then starts one worker process
// (CONCURRENCY 8) and times it from "ready" until every job is done. DATABASE_URL: a server
// to make scratch databases on; else a private embedded PostgreSQL (durable settings).
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { makeWorkerUtils } from "graphile-worker";
import pino from "pino";
import postgres from "postgres";
import { Spec } from "../src/index.js";
import { GraphileWorkerMessageQueueFactory } from "../src/message-queue.js";
import { startEmbeddedPostgres } from "../src/store/embedded.js";
import { spawnTs, waitForOutput } from "../test/support/child.js";
import { addNoopModel, NoopJob } from "./noop-model.js";

const JOBS = Number(process.env.JOBS ?? 5000);
const REPS = Number(process.env.REPS ?? 3);
const CONCURRENCY = String(process.env.CONCURRENCY ?? 8);

const server = process.env.DATABASE_URL ? null : await embedded();
const admin = process.env.DATABASE_URL ?? server?.url ?? "";

const rates: Record<"jobstar" | "graphile", number[]> = { jobstar: [], graphile: [] };
for (let rep = 0; rep < REPS; rep++) {
  for (const system of ["graphile", "jobstar"] as const) {
    rates[system].push(await measure(system));
    console.error(`${system}: ${rates[system].at(-1)?.toFixed(0)} jobs/s`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const j = median(rates.jobstar);
const g = median(rates.graphile);
console.log(
  `processing ${JOBS} no-op jobs, concurrency ${CONCURRENCY}, median of ${REPS}: ` +
    `jobstar ${j.toFixed(0)} jobs/s, raw graphile-worker ${g.toFixed(0)} jobs/s, ratio ${(j / g).toFixed(2)} ` +
    `(jobstar ${rates.jobstar.map((r) => r.toFixed(0)).join(", ")}; graphile ${rates.graphile.map((r) => r.toFixed(0)).join(", ")})`,
);
await server?.stop();
process.exit(0);

async function measure(system: "jobstar" | "graphile"): Promise<number> {
  const { url, drop } = await scratch();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    if (system === "graphile") {
      const utils = await makeWorkerUtils({ connectionString: url });
      await utils.migrate();
      for (let i = 0; i < JOBS; i += 500) {
        const n = Math.min(500, JOBS - i);
        await utils.addJobs(
          Array.from({ length: n }, (_, k) => ({ identifier: "noop", payload: { n: i + k } })),
        );
      }
      await utils.release();
    } else {
      const spec = new Spec().configure({
        databaseUrl: url,
        messageQueueFactory: new GraphileWorkerMessageQueueFactory(),
        logger: pino({ level: "error" }),
      });
      addNoopModel(spec);
      const mgr = spec.getResourceManager(NoopJob);
      for (let i = 0; i < JOBS; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, JOBS - i) }, (_, k) => mgr.create({ payload: { n: i + k } })),
        );
      }
      await spec.close();
    }
    const worker = spawnTs("bench/processing-worker.ts", { DATABASE_URL: url, CONCURRENCY, MODE: system });
    await waitForOutput(worker, "ready", 120_000);
    const started = performance.now();
    for (;;) {
      const [row] =
        system === "graphile"
          ? await sql<{ n: number }[]>`select count(*)::int as n from graphile_worker._private_jobs`
          : await sql<{ n: number }[]>`
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
