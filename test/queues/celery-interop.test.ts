// jobstar and Python Celery (Debian's python3-celery) on one broker, both ways: a Python
// worker with a task `jobstar.<model-key>.process_job` receives jobstar's jobs with args
// [resourceId]; a task sent by Python's `app.send_task` for a pending job is run by a
// jobstar worker. Over RabbitMQ and over Redis.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Schema, Spec, TaskStatus } from "../../src/index.js";
import { CeleryMessageQueueFactory } from "../../src/message-queue.js";
import { ScriptJob, script } from "../fixtures/models.js";
import { AMQP_URL, missingBroker, REDIS_URL, RUN_PREFIX, removeBrokerQueues } from "../support/brokers.js";
import { ensurePythonCelery, PYTHON } from "../support/celery.js";
import { type Child, spawnChild, stopChild } from "../support/child.js";
import { freshDatabase } from "../support/database.js";
import { FAST } from "../support/spec.js";
import { waitFor } from "../support/wait.js";

const FIXTURES = "test/fixtures/celery";
const TASK = "jobstar.script-job.process_job";
const pythonMissing = ensurePythonCelery();
if (pythonMissing) console.warn(pythonMissing);

describe.each([
  { broker: "amqp" as const, url: AMQP_URL },
  { broker: "redis" as const, url: REDIS_URL },
])("Celery over $broker with Python Celery", ({ broker, url }) => {
  const skip = pythonMissing ?? missingBroker(broker);
  if (skip) return void it.skip(skip);
  const prefix = `${RUN_PREFIX}interop-${broker}.`;
  const queue = `${prefix}script-job`;
  let dir: string;
  let drop: () => Promise<void>;
  let databaseUrl: string;
  const specs: Spec[] = [];
  const children: Child[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "jobstar-celery-"));
    ({ url: databaseUrl, drop } = await freshDatabase());
  });

  afterAll(async () => {
    await Promise.all(children.map((child) => stopChild(child, "SIGKILL")));
    for (const spec of specs) await spec.close();
    await drop?.();
    await rm(dir, { recursive: true, force: true });
    await removeBrokerQueues(prefix, ["script-job"]);
    await removeBrokerQueues(`${prefix}unused.`, ["script-job"]);
  });

  /** A spec on the Celery queue `<queuePrefix>script-job` of this broker. */
  function celerySpec(queuePrefix: string): Spec {
    const spec = new Spec().configure({
      databaseUrl,
      messageQueueFactory: new CeleryMessageQueueFactory({
        ...FAST,
        brokerUrl: url,
        queuePrefix,
        pollInterval: 500,
      }),
    });
    spec.addModel(new Schema(ScriptJob, "v1"), { jobHandler: script });
    specs.push(spec);
    return spec;
  }

  it("a Python Celery worker receives jobstar's job as the task jobstar.script-job.process_job with args [resourceId]", async () => {
    const out = path.join(dir, "received.jsonl");
    const worker = spawnChild(
      PYTHON,
      [
        "-m",
        "celery",
        "-A",
        "jobstar_tasks",
        "worker",
        "--pool=solo",
        "-Q",
        queue,
        "-l",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
      ],
      { PYTHONPATH: path.resolve(FIXTURES), CELERY_BROKER_URL: url, JOBSTAR_TASK: TASK, OUT_FILE: out },
    );
    children.push(worker);
    // jobstar only publishes here: nothing of it consumes the model.
    const spec = celerySpec(prefix);
    const info = await spec.getResourceManager(ScriptJob).create({ payload: { behaviour: "ok" } });
    const lines = await waitFor(
      () => readFile(out, "utf8").catch(() => ""),
      (text) => text.includes(info.resourceId),
      45_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nworker stderr:\n${worker.stderr()}`);
    });
    expect(JSON.parse(lines.trim().split("\n")[0] ?? "{}")).toEqual({
      task: TASK,
      args: [info.resourceId],
      kwargs: {},
      attempt: 0,
      lang: "py",
    });
    await stopChild(worker, "SIGTERM");
  }, 60_000);

  it("a task sent by Python's send_task for a pending job is run by a jobstar worker", async () => {
    // The job is created through a queue nobody consumes, so only Python's task can run it.
    const creator = celerySpec(`${prefix}unused.`);
    const info = await creator.getResourceManager(ScriptJob).create({ payload: { behaviour: "ok" } });
    const worker = celerySpec(prefix);
    await worker.getResourceManager(ScriptJob).startConsume({ block: false });

    const sender = spawnChild(PYTHON, [path.join(FIXTURES, "send_task.py"), TASK, info.resourceId, queue], {
      CELERY_BROKER_URL: url,
    });
    children.push(sender);
    const exit = await Promise.race([
      sender.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("send_task.py hung")), 30_000)),
    ]);
    expect(exit.code, sender.stderr()).toBe(0);
    expect(sender.stdout()).toMatch(/^sent [0-9a-f-]{36}/);

    const done = await waitFor(
      () => worker.getResourceManager(ScriptJob).get(info.resourceId),
      (job) => job.data.status === TaskStatus.COMPLETED,
      20_000,
    );
    expect(done.data).toMatchObject({ retries: 0, artifact: { value: 42 } });
    expect((await worker.getResourceManager(ScriptJob).listRevisions(info.resourceId)).totalCount).toBe(3);
  }, 60_000);
});
