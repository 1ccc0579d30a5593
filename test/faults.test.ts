// Worker processes that stop without a word (DESIGN.md §4, invariant 3): paused past the
// stale threshold, or killed while graphile-worker held jobs they had not claimed yet.
// Each test proves "no job lost, none stuck": every job ends COMPLETED, its history
// shows what happened, and nothing of it is left in graphile-worker's queue.
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type Spec, TaskStatus } from "../src/index.js";
import { ScriptJob } from "./fixtures/models.js";
import { type Child, spawnTs, stopChild, waitForOutput } from "./support/child.js";
import { freshDatabase } from "./support/database.js";
import { testSpec } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

const WORKER = "test/fixtures/worker.ts";

let url: string;
let drop: () => Promise<void>;
let sql: postgres.Sql;
let spec: Spec;
const children: Child[] = [];

beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
  sql = postgres(url, { max: 1, onnotice: () => {} });
  // This process consumes nothing: like an API server, it only sweeps (stale after 3 s).
  spec = testSpec(url, "graphile", { heartbeatInterval: 0.3, staleAfter: 3 });
  await spec.start();
});

afterEach(async () => {
  for (const child of children) if (!child.done()) process.kill(child.pid, "SIGCONT");
  await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGKILL")));
});

afterAll(async () => {
  await spec?.close();
  await sql?.end({ timeout: 5 });
  await drop?.();
});

async function startWorker(env: Record<string, string> = {}): Promise<Child> {
  const child = spawnTs(WORKER, { DATABASE_URL: url, ...env });
  children.push(child);
  await waitForOutput(child, "ready");
  return child;
}

/** graphile-worker's entries of a job, whatever their state. */
const entriesOf = (id: string) =>
  sql<{ locked: boolean }[]>`
    select locked_at is not null as locked from graphile_worker._private_jobs where payload->>'resourceId' = ${id}`;

it("a paused worker's job is recovered, and when the worker resumes the job still runs to completion once", async () => {
  const worker = await startWorker();
  const scripts = spec.getResourceManager(ScriptJob);
  // The first run sleeps long enough to be paused in; a later run ends at once.
  const { resourceId: id } = await scripts.create({ payload: { behaviour: "sleep-first-run", ms: 4000 } });
  await waitFor(
    () => scripts.get(id),
    (job) => job.data.status === TaskStatus.PROCESSING,
  );

  process.kill(worker.pid, "SIGSTOP");
  // Past staleAfter, this process (no consumer) recovers the job and releases the paused
  // worker's lock; the new attempt's entry waits, as only the paused worker consumes.
  await waitFor(
    () => scripts.get(id),
    (job) => job.data.status === TaskStatus.PENDING && job.data.retries === 1,
  );
  // The recovery added an entry of its own: the paused worker's entry, which it will
  // delete by id when it resumes, is not the one the job now depends on.
  expect((await entriesOf(id)).length).toBe(2);

  process.kill(worker.pid, "SIGCONT");
  const done = await waitFor(
    () => scripts.get(id),
    (job) => job.data.status !== TaskStatus.PENDING && job.data.status !== TaskStatus.PROCESSING,
  );
  expect(done.data).toMatchObject({ status: TaskStatus.COMPLETED, retries: 1, artifact: { value: 4 } });
  const history = await scripts.listRevisions(id);
  expect(history.items.map((r) => [r.data.status, r.info.updatedBy.split(":")[0]])).toEqual([
    ["pending", "anonymous"],
    ["processing", "worker"],
    ["pending", "jobstar"],
    ["processing", "worker"],
    ["completed", "worker"],
  ]);
  expect(history.items[2]?.info.updatedBy).toBe("jobstar:recovery");
  await waitFor(
    () => entriesOf(id),
    (entries) => entries.length === 0,
  );
  // The woken worker carries on: it is alive and runs new jobs.
  expect(worker.done()).toBe(false);
  const { resourceId: next } = await scripts.create({ payload: { behaviour: "ok" } });
  await waitFor(
    () => scripts.get(next),
    (job) => job.data.status === TaskStatus.COMPLETED,
  );
});

it("jobs a killed worker had locked but not claimed are released and run by another worker", async () => {
  const scripts = spec.getResourceManager(ScriptJob);
  // One long job and four quick ones, queued before the worker starts: with one slot and
  // a local queue of five, it locks all five and claims only the first.
  const long = await scripts.create({ payload: { behaviour: "sleep-first-run", ms: 60_000 } });
  const quick = await Promise.all([1, 2, 3, 4].map(() => scripts.create({ payload: { behaviour: "ok" } })));
  const worker = await startWorker({ CONCURRENCY: "1", LOCAL_QUEUE: "5" });
  await waitFor(
    () => scripts.get(long.resourceId),
    (job) => job.data.status === TaskStatus.PROCESSING,
  );
  const locked = await sql<{ n: number }[]>`
    select count(*)::int as n from graphile_worker._private_jobs where locked_at is not null`;
  expect(locked[0]?.n).toBe(5);
  for (const info of quick) expect((await scripts.get(info.resourceId)).data.status).toBe(TaskStatus.PENDING);

  expect(await stopChild(worker, "SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
  await startWorker();
  for (const info of [long, ...quick]) {
    await waitFor(
      () => scripts.get(info.resourceId),
      (job) => job.data.status === TaskStatus.COMPLETED,
      20_000,
    );
  }
  // Only the job that was running spent a retry; the locked-but-unclaimed ones never ran.
  expect((await scripts.get(long.resourceId)).data.retries).toBe(1);
  for (const info of quick) expect((await scripts.get(info.resourceId)).data.retries).toBe(0);
  await waitFor(
    () => sql<{ n: number }[]>`select count(*)::int as n from graphile_worker._private_jobs`,
    ([row]) => row?.n === 0,
  );
});
