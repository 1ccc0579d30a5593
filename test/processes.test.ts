// Several processes on one database (DESIGN.md §9): jobs created here are run by a
// worker in a child process, and a worker that crashes mid-job loses nothing.
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type Spec, TaskStatus } from "../src/index.js";
import { ScriptJob, TrainingJob } from "./fixtures/models.js";
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
  // This process only creates and reads jobs (until the crash test consumes). A job
  // whose heartbeat is 3 s old counts as lost.
  spec = testSpec(url, "graphile", { staleAfter: 3 });
  await spec.start(); // migrates before any worker starts
});

afterEach(async () => {
  // Never leave a worker behind, whatever happened in the test.
  await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGKILL")));
});

afterAll(async () => {
  await spec?.close();
  await sql?.end({ timeout: 5 });
  await drop?.();
});

async function startWorker(): Promise<Child> {
  const child = spawnTs(WORKER, { DATABASE_URL: url });
  children.push(child);
  await waitForOutput(child, "ready");
  return child;
}

const isDone = (status: string) =>
  ([TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED] as string[]).includes(status);

it("a worker in another process completes the jobs this process creates, and stops gracefully", async () => {
  const worker = await startWorker();
  const training = spec.getResourceManager(TrainingJob);
  const scripts = spec.getResourceManager(ScriptJob);
  const created = await Promise.all([
    ...["a", "b", "c", "d"].map((id) =>
      training.create({ payload: { data_id: `data:${id}`, algo: "mlp", params: {} } }),
    ),
    ...[1, 2].map(() => scripts.create({ payload: { behaviour: "ok" } })),
  ]);
  const jobs = await waitFor(
    () =>
      Promise.all(
        created.map((info) =>
          (info.resourceId.startsWith("training-job") ? training : scripts).get(info.resourceId),
        ),
      ),
    (all) => all.every((job) => isDone(job.data.status)),
  );
  expect(jobs.map((job) => job.data.status)).toEqual(Array(6).fill(TaskStatus.COMPLETED));
  for (const { resourceId } of created) {
    const manager = resourceId.startsWith("training-job") ? training : scripts;
    const history = await manager.listRevisions(resourceId);
    expect(history.items.map((r) => r.data.status)).toEqual(["pending", "processing", "completed"]);
    // Claimed by a graphile-worker worker of the child: this process runs no consumer.
    expect(history.items[1]?.info.updatedBy).toMatch(/^worker:./);
  }

  // SIGTERM stops the worker gracefully: the job it is running finishes first.
  const { resourceId: inFlight } = await scripts.create({ payload: { behaviour: "sleep", ms: 500 } });
  await waitFor(
    () => scripts.get(inFlight),
    (job) => job.data.status === TaskStatus.PROCESSING,
  );
  expect(await stopChild(worker, "SIGTERM")).toEqual({ code: 0, signal: null });
  expect((await scripts.get(inFlight)).data).toMatchObject({
    status: TaskStatus.COMPLETED,
    retries: 0,
    artifact: { value: 500 },
  });
});

it("a worker killed mid-job loses no job and leaves none stuck (invariant 3)", async () => {
  const worker = await startWorker();
  const scripts = spec.getResourceManager(ScriptJob);
  // Sleeps a minute on its first run only; the run after recovery ends at once.
  const { resourceId: id } = await scripts.create({ payload: { behaviour: "sleep-first-run", ms: 60_000 } });
  const running = await waitFor(
    () => scripts.get(id),
    (job) => job.data.status === TaskStatus.PROCESSING,
  );
  const deadWorker = running.info.updatedBy.replace(/^worker:/, "");
  const queueEntries = () =>
    sql<{ locked: boolean }[]>`
      select locked_at is not null as locked from graphile_worker._private_jobs where payload->>'resourceId' = ${id}`;
  expect(await queueEntries()).toEqual([{ locked: true }]);

  expect(await stopChild(worker, "SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
  // Dead, mid-run: the job is PROCESSING with a heartbeat that will not move again,
  // and graphile-worker's row is still locked by the dead worker (for hours, by
  // graphile-worker's own rules).
  expect((await scripts.get(id)).data.status).toBe(TaskStatus.PROCESSING);

  // A consumer in this process notices the silence (staleAfter 3 s), recovers the job,
  // releases the dead worker's lock and runs the job again.
  await scripts.startConsume({ block: false });
  const done = await waitFor(
    () => scripts.get(id),
    (job) => isDone(job.data.status),
  );
  expect(done.data).toMatchObject({ status: TaskStatus.COMPLETED, retries: 1, artifact: { value: 4 } });

  const history = await scripts.listRevisions(id);
  expect(history.items.map((r) => [r.data.status, r.data.retries, r.info.updatedBy])).toEqual([
    ["pending", 0, "anonymous"],
    ["processing", 0, `worker:${deadWorker}`],
    ["pending", 1, "jobstar:recovery"],
    ["processing", 1, expect.stringMatching(/^worker:./)],
    ["completed", 1, expect.stringMatching(/^worker:./)],
  ]);
  expect(history.items[2]?.data.errmsg).toMatch(/^worker lost/);
  expect(history.items[3]?.info.updatedBy).not.toBe(`worker:${deadWorker}`);
  // Nothing of the job is left in graphile-worker's queue: the dead worker's entry was
  // released and retired, the new attempt's entry completed.
  await waitFor(queueEntries, (rows) => rows.length === 0);

  // Why this proves "a crash loses no job and leaves none stuck": the job was
  // mid-run (PROCESSING, its queue row locked) when its worker died without any
  // chance to clean up. Afterwards it is COMPLETED by another worker, its history
  // shows the lost run and the retry it cost, nothing in graphile-worker's queue is
  // still held by the dead worker, and no job of the model is PROCESSING or PENDING.
  const [left] = await sql<{ n: number }[]>`
    select count(*)::int as n from jobstar.resources where status in ('pending', 'processing')`;
  expect(left?.n).toBe(0);
});
