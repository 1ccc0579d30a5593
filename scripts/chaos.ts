// `npm run chaos`: N jobs over several worker processes while workers are SIGKILLed (and
// replaced), paused past the stale threshold (SIGSTOP, later SIGCONT) and have their
// database connections terminated. Bounded in count and time; prints one line and exits
// 0 only if no job was lost or stuck and every duplicate execution follows a kill or pause.
//
// Settings (environment): JOBS (2000), WORKERS (4), KILLS (20), PAUSES (5),
// CONNECTION_KILLS (10), FAULT_WINDOW_S (90). DATABASE_URL: a server to make a scratch
// database on; without it, a private embedded PostgreSQL in a temp folder (durable settings).
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
import { type Child, spawnTs, waitForOutput } from "../test/support/child.js";
import { addChaosModel, ChaosJob } from "./chaos-model.js";

const JOBS = Number(process.env.JOBS ?? 2000);
const WORKERS = Number(process.env.WORKERS ?? 4);
const KILLS = Number(process.env.KILLS ?? 20);
const PAUSES = Number(process.env.PAUSES ?? 5);
const CONNECTION_KILLS = Number(process.env.CONNECTION_KILLS ?? 10);
const FAULT_WINDOW_MS = Number(process.env.FAULT_WINDOW_S ?? 90) * 1000;
/** Longer than the default staleAfter (15 s): a paused worker's jobs are recovered meanwhile. */
const PAUSE_MS = 20_000;
/** After the last fault: jobs still open when nothing has moved for this long are stuck. */
const QUIET_MS = 90_000;
const DEADLINE_MS = 600_000;

const { url, dispose } = await scratchDatabase();
const spec = new Spec().configure({
  databaseUrl: url,
  messageQueueFactory: new GraphileWorkerMessageQueueFactory({ retryDelay: () => 1 }),
  logger: pino({ level: "silent" }),
});
addChaosModel(spec, async () => {});
await spec.start();
const sql = postgres(url, { max: 2, onnotice: () => {}, backoff: () => 0.2 });
await sql`create table if not exists chaos_executions (resource_id text not null, run int not null, pid int not null)`;

/** When each worker pid was killed or paused: what a recovery of its job answers to. */
const faults = new Map<number, number>();
const workers: Child[] = [];
const paused = new Set<number>();
/** Workers that have started consuming: only those are killed or paused. */
const ready = new Set<number>();
const spawnWorker = async () => {
  const child = spawnTs("scripts/chaos-worker.ts", { DATABASE_URL: url });
  workers.push(child);
  await waitForOutput(child, "ready", 180_000);
  ready.add(child.pid);
  return child;
};
await Promise.all(Array.from({ length: WORKERS }, spawnWorker));

const mgr = spec.getResourceManager(ChaosJob);
const started = Date.now();
const ids: string[] = [];
for (let i = 0; i < JOBS; i += 50) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(50, JOBS - i) }, () =>
      mgr.create({ payload: { ms: 100 + Math.floor(Math.random() * 600) } }),
    ),
  );
  ids.push(...batch.map((info) => info.resourceId));
}

// The faults, at random moments of the window, in time order.
type Fault = "kill" | "pause" | "connection";
const plan: { at: number; fault: Fault }[] = [
  ...Array.from({ length: KILLS }, () => ({ at: Math.random() * FAULT_WINDOW_MS, fault: "kill" as const })),
  ...Array.from({ length: PAUSES }, () => ({ at: Math.random() * FAULT_WINDOW_MS, fault: "pause" as const })),
  ...Array.from({ length: CONNECTION_KILLS }, () => ({
    at: Math.random() * FAULT_WINDOW_MS,
    fault: "connection" as const,
  })),
].sort((a, b) => a.at - b.at);
const counts = { kill: 0, pause: 0, connection: 0 };
const alive = () => workers.filter((w) => !w.done() && ready.has(w.pid) && !paused.has(w.pid));
for (const { at, fault } of plan) {
  await sleep(Math.max(0, started + at - Date.now()));
  // A kill or pause waits (bounded) until two workers are running, so that one always is.
  const wait = Date.now() + 60_000;
  while (fault !== "connection" && alive().length < 2 && Date.now() < wait) await sleep(200);
  const candidates = alive();
  const victim = candidates[Math.floor(Math.random() * candidates.length)];
  if (fault === "connection") {
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
      order by random() limit 1`.catch(() => {});
  } else if (!victim || candidates.length < 2) {
    continue; // keep at least one worker running
  } else if (fault === "kill") {
    faults.set(victim.pid, Date.now());
    victim.process.kill("SIGKILL");
    spawnWorker().catch((error: unknown) =>
      console.error(`chaos: a replacement worker did not start: ${error}`),
    );
  } else {
    faults.set(victim.pid, Date.now());
    paused.add(victim.pid);
    victim.process.kill("SIGSTOP");
    setTimeout(() => {
      victim.process.kill("SIGCONT");
      paused.delete(victim.pid);
    }, PAUSE_MS).unref();
  }
  counts[fault]++;
}

// Wait for every job to end: stop when none is open, or when nothing has moved for
// QUIET_MS (what is open then is stuck), or at the deadline.
const deadline = started + DEADLINE_MS;
let open = JOBS;
let lastChange = Date.now();
while (Date.now() < deadline && Date.now() - lastChange < QUIET_MS) {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from jobstar.resources where status in ('pending', 'processing')`;
  if ((row?.n ?? JOBS) !== open) lastChange = Date.now();
  open = row?.n ?? JOBS;
  if (open === 0 && paused.size === 0) break;
  await sleep(500);
}
const elapsed = (Date.now() - started) / 1000;

const [stats] = await sql<{ completed: number; stuck: number; lost: number }[]>`
  select
    count(*) filter (where status = 'completed')::int as completed,
    count(*) filter (where status in ('pending', 'processing'))::int as stuck,
    count(*) filter (where status = 'pending' and not exists (
      select 1 from graphile_worker._private_jobs j where j.key = r.resource_id || '#' || r.attempt))::int as lost
  from jobstar.resources r`;
const duplicates = await sql<{ resource_id: string; runs: number; recovered: boolean }[]>`
  select e.resource_id, count(*)::int as runs,
    exists (select 1 from jobstar.revisions v
            where v.resource_id = e.resource_id and v.updated_by = 'jobstar:recovery') as recovered
  from chaos_executions e group by e.resource_id having count(*) > 1`;
const extra = duplicates.reduce((sum, d) => sum + d.runs - 1, 0);
const unexplained = duplicates.filter((d) => !d.recovered).length;
// Kill (or pause) → recovery, per recovered job: the recovery revision's time minus the
// fault time of the worker whose claim it replaced.
const recoveries = await sql<{ holder: string; at: string }[]>`
  select p.updated_by as holder, v.created_time as at
  from jobstar.revisions v join jobstar.revisions p on p.revision_id = v.parent_revision_id
  where v.updated_by = 'jobstar:recovery'`;
const delays = recoveries
  .map((r) => {
    const pid = Number(r.holder.split(":")[2]);
    const fault = faults.get(pid);
    return fault === undefined ? null : (new Date(r.at).getTime() - fault) / 1000;
  })
  .filter((d): d is number => d !== null)
  .sort((a, b) => a - b);
const p50 = delays.length ? delays[Math.floor(delays.length / 2)]?.toFixed(1) : "-";
const max = delays.length ? delays.at(-1)?.toFixed(1) : "-";

const ok = stats?.lost === 0 && stats.stuck === 0 && unexplained === 0 && stats.completed === JOBS;
console.log(
  `chaos: jobs ${JOBS}, workers ${WORKERS}, kills ${counts.kill}, pauses ${counts.pause}, ` +
    `connection kills ${counts.connection}; completed ${stats?.completed}, stuck ${stats?.stuck}, ` +
    `lost ${stats?.lost}; duplicate executions ${extra} (${duplicates.length} jobs, ` +
    `${unexplained} without a kill or pause); recovery p50 ${p50}s max ${max}s ` +
    `(${delays.length} recovered); ${elapsed.toFixed(0)}s — ${ok ? "OK" : "FAILED"}`,
);

for (const w of workers) if (!w.done()) w.process.kill("SIGCONT");
await Promise.all(
  workers.map(async (w) => {
    if (w.done()) return;
    w.process.kill("SIGTERM");
    await Promise.race([w.exited, sleep(15_000).then(() => w.process.kill("SIGKILL"))]);
  }),
);
await sql.end();
await spec.close({ graceSeconds: 0 });
await dispose();
process.exit(ok ? 0 : 1);

/** A scratch database: on DATABASE_URL's server, or a private embedded cluster. */
async function scratchDatabase(): Promise<{ url: string; dispose: () => Promise<void> }> {
  const admin = process.env.DATABASE_URL;
  if (admin) {
    const name = `jobstar_chaos_${randomBytes(4).toString("hex")}`;
    const client = postgres(admin, { max: 1, onnotice: () => {} });
    await client.unsafe(`create database ${name}`);
    await client.end();
    const scratch = new URL(admin);
    scratch.pathname = `/${name}`;
    return {
      url: scratch.toString(),
      dispose: async () => {
        const c = postgres(admin, { max: 1, onnotice: () => {} });
        await c.unsafe(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jobstar-chaos-"));
  await fs.chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({ dir });
  return {
    url: server.url,
    dispose: async () => {
      await server.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
