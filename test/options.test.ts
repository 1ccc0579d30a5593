import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ConflictError, Job, type JobHandler, Schema, Spec, TaskStatus } from "../src/index.js";
import { ScriptJob, script } from "./fixtures/models.js";
import { freshDatabase } from "./support/database.js";
import { type Backend, queueFactory } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

/** Fails the first attempt of every periodic run, then succeeds. */
class FlakyPeriodicJob extends Job(z.object({ label: z.string() })) {}
const attempted = new Set<string>();
const flaky: JobHandler<FlakyPeriodicJob> = (job) => {
  const run = `${job.info.resourceId}:${job.data.periodicRuns}`;
  if (attempted.has(run)) return;
  attempted.add(run);
  throw new Error(`first attempt of run ${job.data.periodicRuns + 1}`);
};

const terminal: string[] = [TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED];

describe.each<Backend>(["simple", "graphile"])("job options on the %s queue", (backend) => {
  let url: string;
  let drop: () => Promise<void>;
  const specs: Spec[] = [];

  beforeAll(async () => {
    ({ url, drop } = await freshDatabase());
  });

  afterAll(async () => {
    await Promise.all(specs.map((spec) => spec.close()));
    await drop();
  });

  /** A spec on the test database; the graphile queue fetches one entry at a time so that order shows. */
  function newSpec(): Spec {
    const factory =
      backend === "simple" ? queueFactory("simple") : queueFactory("graphile", {}, { localQueueSize: 0 });
    const spec = new Spec().configure({ databaseUrl: url, messageQueueFactory: factory });
    spec.addModel(new Schema(ScriptJob, "v1"), { jobHandler: script, timeoutSeconds: 1 });
    spec.addModel(new Schema(FlakyPeriodicJob, "v1"), { jobHandler: flaky });
    specs.push(spec);
    return spec;
  }

  const settled = (spec: Spec, id: string) =>
    waitFor(
      () => spec.getResourceManager(ScriptJob).get(id),
      (job) => terminal.includes(job.data.status),
      20_000,
    );

  /** When the job's first run was claimed (its PROCESSING revision). */
  const started = async (spec: Spec, id: string) =>
    (await spec.getResourceManager(ScriptJob).get(id, { revisionId: `${id}:2` })).info.createdTime.getTime();

  it("runs higher priorities first among jobs that wait", async () => {
    const spec = newSpec();
    const mgr = spec.getResourceManager(ScriptJob);
    const priorities = [0, 5, -3, 10, 1, 5];
    // Queued before any worker runs, so that all of them wait together.
    const ids = (
      await mgr.createMany(
        priorities.map((priority) => ({ payload: { behaviour: "ok" as const }, priority })),
      )
    ).map((info) => info.resourceId);
    await mgr.startConsume({ block: false, concurrency: 1 });
    for (const id of ids) await settled(spec, id);
    const starts = await Promise.all(ids.map((id) => started(spec, id)));
    const order = ids.map((_, i) => i).sort((a, b) => (starts[a] as number) - (starts[b] as number));
    expect(order.map((i) => priorities[i])).toEqual([10, 5, 5, 1, 0, -3]);
    expect((await mgr.get(ids[3] as string)).data.priority).toBe(10);
    await mgr.stopConsume();
  });

  it("applies a job's own timeoutSeconds over the model's", async () => {
    const spec = newSpec();
    const mgr = spec.getResourceManager(ScriptJob);
    await mgr.startConsume({ block: false, concurrency: 2 });
    // The model allows 1 s: a job allowing 0.3 s times out sooner, one allowing 10 s outlives 1 s.
    const short = await mgr.create({ payload: { behaviour: "hang" }, timeoutSeconds: 0.3, maxRetries: 0 });
    const long = await mgr.create({ payload: { behaviour: "sleep", ms: 1500 }, timeoutSeconds: 10 });
    const failed = await settled(spec, short.resourceId);
    expect(failed.data).toMatchObject({
      status: "failed",
      errmsg: "timed out after 0.3s",
      timeoutSeconds: 0.3,
    });
    const completed = await settled(spec, long.resourceId);
    expect(completed.data).toMatchObject({ status: "completed", artifact: { value: 1500 } });
    await mgr.stopConsume();
  });

  it("runs a job with runAt no earlier than that time", async () => {
    const spec = newSpec();
    const mgr = spec.getResourceManager(ScriptJob);
    await mgr.startConsume({ block: false });
    const runAt = new Date(Date.now() + 1500);
    const later = await mgr.create({ payload: { behaviour: "ok" }, runAt });
    const past = await mgr.create({ payload: { behaviour: "ok" }, runAt: new Date(Date.now() - 60_000) });
    // Beyond what one Node.js timer holds (24.8 days).
    const far = await mgr.create({
      payload: { behaviour: "ok" },
      runAt: new Date(Date.now() + 30 * 86_400_000),
    });
    expect((await settled(spec, past.resourceId)).data.status).toBe("completed");
    expect((await mgr.get(later.resourceId)).data).toMatchObject({
      status: "pending",
      runAt: runAt.toISOString(),
    });
    expect((await settled(spec, later.resourceId)).data.status).toBe("completed");
    expect(await started(spec, later.resourceId)).toBeGreaterThanOrEqual(runAt.getTime() - 50);
    expect((await mgr.get(far.resourceId)).data.status).toBe("pending");
    await expect(mgr.create({ payload: { behaviour: "ok" }, runAt: "not a time" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [{ path: ["runAt"] }],
    });
    await expect(
      mgr.create({ payload: { behaviour: "ok" }, runAt, periodicInitialDelaySeconds: 1 }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED", issues: [{ path: ["runAt"] }] });
    await mgr.stopConsume();
  });

  it("gives each periodic run the whole retry budget", async () => {
    const spec = newSpec();
    const mgr = spec.getResourceManager(FlakyPeriodicJob);
    await mgr.startConsume({ block: false });
    // Each run fails once: with one retry, only a budget reset before each run lets three runs complete.
    const info = await mgr.create({
      payload: { label: "flaky" },
      maxRetries: 1,
      periodicIntervalSeconds: 0.1,
      periodicMaxRuns: 3,
    });
    const done = await waitFor(
      () => mgr.get(info.resourceId),
      (job) => terminal.includes(job.data.status),
      20_000,
    );
    expect(done.data).toMatchObject({ status: "completed", periodicRuns: 3, retries: 1 });
    await mgr.stopConsume();
  });

  it("refuses an idempotency key with another payload, in create and createMany", async () => {
    const spec = newSpec();
    const mgr = spec.getResourceManager(ScriptJob);
    const key = `options-${backend}`;
    const first = await mgr.create({ payload: { behaviour: "sleep", ms: 1 }, idempotencyKey: key });
    expect(
      (await mgr.create({ payload: { ms: 1, behaviour: "sleep" }, idempotencyKey: key })).resourceId,
    ).toBe(first.resourceId);
    const message = `idempotency key "${key}" is already used by ${first.resourceId}, with a different payload`;
    await expect(mgr.create({ payload: { behaviour: "ok" }, idempotencyKey: key })).rejects.toThrow(message);
    const before = (await mgr.list({ limit: 1 })).totalCount;
    const many = mgr.createMany([
      { payload: { behaviour: "ok" } },
      { payload: { behaviour: "ok" }, idempotencyKey: key },
    ]);
    await expect(many).rejects.toBeInstanceOf(ConflictError);
    await expect(many).rejects.toThrow(message);
    // Two new jobs of one list with one key and different payloads.
    const within = mgr.createMany([
      { payload: { behaviour: "ok" }, idempotencyKey: `${key}-new` },
      { payload: { behaviour: "throw" }, idempotencyKey: `${key}-new` },
    ]);
    await expect(within).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await mgr.list({ limit: 1 })).totalCount).toBe(before);
  });
});
