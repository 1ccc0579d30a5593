// Worker processes on the brokers that die without a word: the broker hands a SIGKILLed
// worker's unacknowledged message to another worker (whose claim finds the job still
// PROCESSING and drops it), the sweeper recovers the job after staleAfter, and the new
// attempt completes; jobs the dead worker had not started run at once on the new one.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Spec, TaskStatus } from "../../src/index.js";
import { ScriptJob } from "../fixtures/models.js";
import { RUN_PREFIX, removeBrokerQueues } from "../support/brokers.js";
import { type Child, spawnTs, stopChild, waitForOutput } from "../support/child.js";
import { freshDatabase } from "../support/database.js";
import { type Backend, queuePrefix, skipReason, testSpec } from "../support/spec.js";
import { waitFor } from "../support/wait.js";

const WORKER = "test/fixtures/worker.ts";

describe.each<Backend>(["rabbitmq", "celery-amqp", "celery-redis"])("a worker on the %s queue", (backend) => {
  if (skipReason(backend)) return void it.skip(`${backend}: ${skipReason(backend)}`);
  let url: string;
  let drop: () => Promise<void>;
  let spec: Spec;
  const children: Child[] = [];

  beforeAll(async () => {
    ({ url, drop } = await freshDatabase());
    // This process consumes nothing: like an API server, it publishes and sweeps (stale after 3 s).
    spec = testSpec(url, backend, { heartbeatInterval: 0.3, staleAfter: 3 });
    await spec.start();
  });

  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGKILL")));
  });

  afterAll(async () => {
    await spec?.close();
    await drop?.();
    await removeBrokerQueues(queuePrefix(backend), ["training-job", "script-job"]);
  });

  async function startWorker(): Promise<Child> {
    const child = spawnTs(WORKER, {
      DATABASE_URL: url,
      BACKEND: backend,
      JOBSTAR_TEST_QUEUE_PREFIX: RUN_PREFIX,
      CONCURRENCY: "1",
    });
    children.push(child);
    await waitForOutput(child, "ready");
    return child;
  }

  it("SIGKILLed mid-job: its job is redelivered, recovered and completed, and the jobs queued behind it run", async () => {
    const scripts = spec.getResourceManager(ScriptJob);
    const worker = await startWorker();
    const long = await scripts.create({ payload: { behaviour: "sleep-first-run", ms: 60_000 } });
    await waitFor(
      () => scripts.get(long.resourceId),
      (job) => job.data.status === TaskStatus.PROCESSING,
    );
    // Queued behind the long job (one slot): at the broker, or handed to the worker unacknowledged.
    const quick = await Promise.all([1, 2, 3].map(() => scripts.create({ payload: { behaviour: "ok" } })));

    expect(await stopChild(worker, "SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
    await startWorker();
    for (const info of [long, ...quick]) {
      await waitFor(
        () => scripts.get(info.resourceId),
        (job) => job.data.status === TaskStatus.COMPLETED,
        30_000,
      );
    }
    // Only the job that was running spent a retry (its recovery); the others ran once.
    const done = await scripts.get(long.resourceId);
    expect(done.data).toMatchObject({ retries: 1, artifact: { value: 4 } });
    expect((await scripts.listRevisions(long.resourceId)).items[2]?.info.updatedBy).toBe("jobstar:recovery");
    for (const info of quick) expect((await scripts.get(info.resourceId)).data.retries).toBe(0);
  }, 90_000);

  it("a job cancelled in another process stops running in the worker", async () => {
    const scripts = spec.getResourceManager(ScriptJob);
    await startWorker();
    const info = await scripts.create({ payload: { behaviour: "sleep", ms: 30_000 } });
    await waitFor(
      () => scripts.get(info.resourceId),
      (job) => job.data.status === TaskStatus.PROCESSING,
    );
    await scripts.cancel(info.resourceId);
    // The worker's handler saw its signal abort: its outcome is dropped, the job stays cancelled
    // and the worker takes the next job.
    const next = await scripts.create({ payload: { behaviour: "ok" } });
    await waitFor(
      () => scripts.get(next.resourceId),
      (job) => job.data.status === TaskStatus.COMPLETED,
      20_000,
    );
    const cancelled = await scripts.getMeta(info.resourceId);
    expect((await scripts.get(info.resourceId)).data.status).toBe(TaskStatus.CANCELLED);
    expect(cancelled.totalRevisionCount).toBe(3);
  }, 60_000);
});
