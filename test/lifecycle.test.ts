import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, type ResourceManager, type Spec, TaskStatus } from "../src/index.js";
import { ScriptJob, TrainingJob } from "./fixtures/models.js";
import { removeBrokerQueues } from "./support/brokers.js";
import { freshDatabase } from "./support/database.js";
import { BACKENDS, queuePrefix, skipReason, testSpec } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

// The same behavioural suite runs on every queue backend (a broker's skip when it does not answer).
describe.each(BACKENDS)("job lifecycle on the %s queue", (backend) => {
  if (skipReason(backend)) return void it.skip(`${backend}: ${skipReason(backend)}`);
  let spec: Spec;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    spec = testSpec(db.url, backend);
    await spec.getResourceManager(TrainingJob).startConsume({ block: false, concurrency: 2 });
    await spec.getResourceManager(ScriptJob).startConsume({ block: false, concurrency: 4 });
  });

  afterAll(async () => {
    await spec.close();
    await drop();
    await removeBrokerQueues(queuePrefix(backend), ["training-job", "script-job"]);
  });

  const training = () => spec.getResourceManager(TrainingJob);
  const scripts = () => spec.getResourceManager(ScriptJob);
  const settled = (id: string, mgr: Pick<ResourceManager, "get"> = scripts()) =>
    waitFor(
      () => mgr.get(id),
      (job) =>
        ([TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED] as string[]).includes(
          job.data.status,
        ),
    );

  it("runs pending → processing → completed with history, actor, artifact and logs", async () => {
    const info = await spec.using("alice", () =>
      training().create(new TrainingJob({ payload: { data_id: "data:1", algo: "mlp", params: { n: 1 } } })),
    );
    expect(info.resourceId).toMatch(/^training-job:[0-9a-f-]{36}$/);
    expect(info.revisionId).toBe(`${info.resourceId}:1`);
    expect(info.createdBy).toBe("alice");

    const done = await settled(info.resourceId, training());
    expect(done.data).toBeInstanceOf(TrainingJob);
    expect(done.data.status).toBe(TaskStatus.COMPLETED);
    expect(done.data.artifact).toEqual({ modelId: "mlp-model", rows: 100 });
    expect(done.data.maxRetries).toBe(3);

    const history = await training().listRevisions(info.resourceId);
    expect(history.totalCount).toBe(3);
    expect(history.items.map((r) => [r.data.status, r.info.status, r.info.createdBy])).toEqual([
      ["pending", "stable", "alice"],
      ["processing", "draft", "alice"],
      ["completed", "stable", "alice"],
    ]);
    expect(history.items.map((r) => r.info.parentRevisionId)).toEqual([
      null,
      `${info.resourceId}:1`,
      `${info.resourceId}:2`,
    ]);
    expect(history.items[1]?.info.updatedBy).toMatch(/^worker:/);
    expect(history.items[2]?.info.dataHash).toMatch(/^[0-9a-f]{64}$/);

    const meta = await training().getMeta(info.resourceId);
    expect(meta).toMatchObject({
      currentRevisionId: `${info.resourceId}:3`,
      totalRevisionCount: 3,
      createdBy: "alice",
    });

    const logs = await training().getLogs(info.resourceId);
    expect(logs.map((l) => [l.run, l.level, l.message])).toEqual([[2, "info", "training mlp on data:1"]]);

    const first = await training().get(info.resourceId, { revisionId: `${info.resourceId}:1` });
    expect(first.data.status).toBe(TaskStatus.PENDING);
  });

  it("spends retries on failures, then fails with the last error", async () => {
    const info = await scripts().create({ payload: { behaviour: "throw" }, maxRetries: 2 });
    const done = await settled(info.resourceId);
    expect(done.data.status).toBe(TaskStatus.FAILED);
    expect(done.data.retries).toBe(2);
    expect(done.data.errmsg).toBe("boom on run 6");
    const history = await scripts().listRevisions(info.resourceId);
    expect(history.items.map((r) => r.data.status)).toEqual([
      "pending",
      "processing",
      "pending",
      "processing",
      "pending",
      "processing",
      "failed",
    ]);
    expect(history.items.map((r) => r.data.retries)).toEqual([0, 0, 1, 1, 2, 2, 2]);
  });

  it("fails at once on NoRetry", async () => {
    const info = await scripts().create({ payload: { behaviour: "no-retry" } });
    const done = await settled(info.resourceId);
    expect(done.data).toMatchObject({ status: "failed", retries: 0, errmsg: "bad input, do not retry" });
  });

  it("re-runs after DelayRetry without spending the budget", async () => {
    const info = await scripts().create({ payload: { behaviour: "delay-once" }, maxRetries: 0 });
    const done = await settled(info.resourceId);
    expect(done.data).toMatchObject({ status: "completed", retries: 0, artifact: { value: 1 } });
    const history = await scripts().listRevisions(info.resourceId);
    expect(history.items.map((r) => r.data.status)).toEqual([
      "pending",
      "processing",
      "pending",
      "processing",
      "completed",
    ]);
    expect(history.items[2]?.data.errmsg).toBe("not ready yet");
  });

  it("ends clearly when a handler throws a non-Error, hangs past its timeout, or returns a bad artifact", async () => {
    const [thrown, hung, bad] = await Promise.all([
      scripts().create({ payload: { behaviour: "throw-string" }, maxRetries: 0 }),
      scripts().create({ payload: { behaviour: "hang" }, maxRetries: 0 }),
      scripts().create({ payload: { behaviour: "bad-artifact" } }),
    ]);
    expect((await settled(thrown.resourceId)).data).toMatchObject({
      status: "failed",
      errmsg: "handler threw a non-Error value: 'a string, not an Error'",
    });
    expect((await settled(hung.resourceId)).data).toMatchObject({
      status: "failed",
      errmsg: "timed out after 1s",
    });
    const badDone = await settled(bad.resourceId);
    expect(badDone.data.status).toBe("failed");
    expect(badDone.data.retries).toBe(0);
    expect(badDone.data.errmsg).toMatch(/^invalid artifact: artifact\.value: /);
  });

  it("reruns a finished job with its payload, and refuses to rerun a running one", async () => {
    const info = await scripts().create({ payload: { behaviour: "sleep", ms: 400 } });
    await waitFor(
      () => scripts().get(info.resourceId),
      (job) => job.data.status === TaskStatus.PROCESSING,
    );
    await expect(scripts().rerun(info.resourceId)).rejects.toBeInstanceOf(ConflictError);
    await settled(info.resourceId);

    const rerun = await spec.using("bob", () => scripts().rerun(info.resourceId));
    expect(rerun).toMatchObject({ revisionId: `${info.resourceId}:4`, createdBy: "bob" });
    const again = await settled(info.resourceId);
    expect(again.data).toMatchObject({
      status: "completed",
      retries: 0,
      payload: { behaviour: "sleep", ms: 400 },
    });
    expect((await scripts().getMeta(info.resourceId)).totalRevisionCount).toBe(6);
  });

  it("cancels a running job: its signal aborts and the result is dropped", async () => {
    const info = await scripts().create({ payload: { behaviour: "sleep", ms: 20_000 } });
    await waitFor(
      () => scripts().get(info.resourceId),
      (job) => job.data.status === TaskStatus.PROCESSING,
    );
    await scripts().cancel(info.resourceId);
    const done = await settled(info.resourceId);
    expect(done.data.status).toBe(TaskStatus.CANCELLED);
    // (On a slow machine the model's 1 s timeout may have retried the run once before
    // the cancel landed; either way the cancelled revision must stay the last one.)
    const revisions = (await scripts().getMeta(info.resourceId)).totalRevisionCount;
    // The aborted handler returned; give the runner time to (not) write its result.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await scripts().getMeta(info.resourceId);
    expect(after.totalRevisionCount).toBe(revisions);
    expect(after.currentRevisionId).toBe(done.info.revisionId);
    await expect(scripts().cancel(info.resourceId)).rejects.toBeInstanceOf(ConflictError);
  });

  it("re-runs a periodic job until its run limit", async () => {
    const info = await scripts().create({
      payload: { behaviour: "ok" },
      periodicIntervalSeconds: 0.05,
      periodicMaxRuns: 3,
    });
    const done = await settled(info.resourceId);
    expect(done.data).toMatchObject({ status: "completed", periodicRuns: 3, artifact: { value: 42 } });
    expect((await scripts().getMeta(info.resourceId)).totalRevisionCount).toBe(7);
  });

  it("returns the existing job for a repeated idempotency key and payload, a conflict for another payload", async () => {
    const first = await scripts().create({ payload: { behaviour: "ok" }, idempotencyKey: `key-${backend}` });
    const second = await scripts().create({ payload: { behaviour: "ok" }, idempotencyKey: `key-${backend}` });
    expect(second.resourceId).toBe(first.resourceId);
    const other = scripts().create({ payload: { behaviour: "throw" }, idempotencyKey: `key-${backend}` });
    await expect(other).rejects.toBeInstanceOf(ConflictError);
    await expect(other).rejects.toThrow(
      `idempotency key "key-${backend}" is already used by ${first.resourceId}`,
    );
    expect((await scripts().get(first.resourceId)).data.payload.behaviour).toBe("ok");
  });
});
