// The invariants of DESIGN.md §4 against a real PostgreSQL: one transaction per write (1,
// on graphile-worker here; on the brokers' outbox in queues/outbox.test.ts), and on every
// queue backend: committed events only (2), no job stuck PROCESSING (3), exactly-once
// effects under duplicate delivery (4), nothing written on bad input (5).
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JobModel, Schema, Spec, TaskStatus, ValidationError } from "../src/index.js";
import type { RegisteredModel } from "../src/model/registration.js";
import { JobRunner } from "../src/queue/job-runner.js";
import { Liveness } from "../src/queue/liveness.js";
import { CURRENT_ATTEMPT, type RunSettings } from "../src/queue/message-queue.js";
import { Sweeper } from "../src/queue/sweeper.js";
import type { Runtime } from "../src/resource/runtime.js";
import { appendRevision } from "../src/store/queries/append-revision.js";
import { lockResourceRow } from "../src/store/queries/get-resource.js";
import { insertJobs } from "../src/store/queries/insert-jobs.js";
import { inUnitOfWork } from "../src/store/unit-of-work.js";
import { TrainingJob, training } from "./fixtures/models.js";
import { OrphanJob, ParkedJob, Probe, ProbeJob } from "./fixtures/probe.js";
import { removeBrokerQueues } from "./support/brokers.js";
import { freshDatabase } from "./support/database.js";
import { countRows, EventLog, expectNoEffect } from "./support/effects.js";
import { BACKENDS, type Backend, brokerOf, queueFactory, queuePrefix, skipReason } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

let url: string;
let drop: () => Promise<void>;
let sql: postgres.Sql;
let log: EventLog;

beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
  sql = postgres(url, { max: 2, onnotice: () => {} });
  log = await EventLog.open(url);
});

afterAll(async () => {
  await log?.close();
  await sql?.end({ timeout: 5 });
  await drop?.();
});

/** A spec on the test database with the graphile-worker queue (test settings). */
function graphileSpec(settings: Partial<RunSettings> = {}): Spec {
  return backendSpec("graphile", url, settings);
}

/** A spec on `databaseUrl` with the `backend` queue (test settings). */
function backendSpec(backend: Backend, databaseUrl: string, settings: Partial<RunSettings> = {}): Spec {
  return new Spec().configure({ databaseUrl, messageQueueFactory: queueFactory(backend, settings) });
}

function registered(spec: Spec, model: JobModel): RegisteredModel {
  const found = spec.registeredModels().find((m) => m.schema.model === model);
  if (!found) throw new Error(`${model.name} is not registered`);
  return found;
}

const statusOf = (spec: Spec, model: JobModel, resourceId: string) =>
  spec
    .getResourceManager(model)
    .get(resourceId)
    .then((job) => job.data.status);

/** Bypasses the static types, to hand the API input a caller could send at run time. */
const untyped = (value: unknown) => value as never;

describe("invariant 1: creating a job is one transaction", () => {
  let spec: Spec;

  beforeAll(async () => {
    // Nothing consumes here: the row counts only move by what each test does.
    spec = graphileSpec();
    spec.addModel(new Schema(TrainingJob, "v1"), { jobHandler: training });
    await spec.start();
  });
  afterAll(() => spec.close());

  const mgr = () => spec.getResourceManager(TrainingJob);

  it("writes the resource, its first revision, its queue entry and its event together", async () => {
    const before = await countRows(sql);
    const info = await mgr().create({ payload: { data_id: "d:1", algo: "mlp", params: {} } });
    expect(await countRows(sql)).toEqual({
      resources: before.resources + 1,
      revisions: before.revisions + 1,
      queue: before.queue + 1,
    });
    const queued = await sql<{ task: string; locked: boolean }[]>`
      select task_identifier as task, locked_at is not null as locked
      from graphile_worker.jobs where key = ${`${info.resourceId}#0`}`;
    expect(queued).toEqual([{ task: "jobstar:training-job", locked: false }]);
    await log.settle();
    expect(log.eventsOf(info.resourceId)).toEqual([
      { model: "TrainingJob", resourceId: info.resourceId, revisionId: info.revisionId, status: "pending" },
    ]);
  });

  it("writes nothing when the payload fails its schema, and names the field", async () => {
    const error = await expectNoEffect(sql, log, () =>
      mgr().create({ payload: untyped({ data_id: "d:1", algo: "svm", params: {} }) }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    const validation = error as ValidationError;
    expect(validation.code).toBe("VALIDATION_FAILED");
    expect(validation.message).toContain("payload.algo");
    expect(validation.issues.map((issue) => issue.path)).toEqual([["payload", "algo"]]);
  });

  it("writes nothing when the database refuses the queue entry, the last write of the transaction", async () => {
    // A fault injected in the database: graphile-worker's insert fails after the
    // resource, its revision and its NOTIFY were written in the same transaction.
    await sql.unsafe(`
      create function pg_temp_reject_job() returns trigger language plpgsql as
        $$ begin raise exception 'injected fault: queue unavailable'; end $$;
      create trigger reject_job before insert on graphile_worker._private_jobs
        for each row execute function pg_temp_reject_job();`);
    try {
      const error = await expectNoEffect(sql, log, () =>
        mgr().create({ payload: { data_id: "fault", algo: "mlp", params: {} } }),
      );
      const { message, cause } = error as Error;
      expect(`${message} ${String(cause)}`).toContain("injected fault");
      expect(error).not.toBeInstanceOf(ValidationError);
    } finally {
      await sql.unsafe(
        "drop trigger reject_job on graphile_worker._private_jobs; drop function pg_temp_reject_job();",
      );
    }
  });

  it("createMany writes every job, revision, queue entry and event in one transaction, in order", async () => {
    const before = await countRows(sql);
    const inits = Array.from({ length: 300 }, (_, i) => ({
      payload: { data_id: `many:${i}`, algo: "mlp" as const, params: {} },
    }));
    const infos = await mgr().createMany(inits);
    expect(infos).toHaveLength(300);
    expect(await countRows(sql)).toEqual({
      resources: before.resources + 300,
      revisions: before.revisions + 300,
      queue: before.queue + 300,
    });
    const stored = await Promise.all(infos.map((info) => mgr().get(info.resourceId)));
    expect(stored.map((job) => job.data.payload.data_id)).toEqual(inits.map((init) => init.payload.data_id));
    await log.settle();
    for (const info of infos.slice(0, 5))
      expect(log.eventsOf(info.resourceId)).toEqual([
        { model: "TrainingJob", resourceId: info.resourceId, revisionId: info.revisionId, status: "pending" },
      ]);
  });

  it("createMany writes nothing when any job is invalid, and names each by its index", async () => {
    const error = await expectNoEffect(sql, log, () =>
      mgr().createMany([
        { payload: { data_id: "ok", algo: "mlp", params: {} } },
        { payload: untyped({ data_id: "bad", algo: "svm", params: {} }) },
        { payload: { data_id: "ok too", algo: "mlp", params: {} }, maxRetries: -2 },
      ]),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([
      [1, "payload", "algo"],
      [2, "maxRetries"],
    ]);
  });

  it("createMany gives a repeated idempotency key (same payload) the first job, within the call and across calls", async () => {
    const before = await countRows(sql);
    const payload = (data_id: string) => ({ data_id, algo: "mlp" as const, params: {} });
    const [a, b, c] = await mgr().createMany([
      { payload: payload("first"), idempotencyKey: "many-key" },
      { payload: payload("other") },
      { payload: payload("first"), idempotencyKey: "many-key" },
    ]);
    expect(c?.resourceId).toBe(a?.resourceId);
    expect(b?.resourceId).not.toBe(a?.resourceId);
    const [d] = await mgr().createMany([{ payload: payload("first"), idempotencyKey: "many-key" }]);
    expect(d).toEqual(a);
    expect((await countRows(sql)).resources).toBe(before.resources + 2);
    // Another payload under the key: a conflict, and nothing of the call is written.
    const stored = await countRows(sql);
    await expect(
      mgr().createMany([
        { payload: payload("new") },
        { payload: payload("third"), idempotencyKey: "many-key" },
      ]),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    const after = await countRows(sql);
    expect([after.resources, after.revisions]).toEqual([stored.resources, stored.revisions]);
  });

  it("concurrent creates stored together still commit or fail each on its own", async () => {
    // The database refuses one job of the group (a fault injected by a trigger): that
    // create fails with the database's error, the other 39 are stored.
    await sql.unsafe(`
      create function pg_temp_refuse_one() returns trigger language plpgsql as
        $$ begin
          if new.data->'payload'->>'data_id' = 'refused' then raise exception 'injected fault: refused'; end if;
          return new;
        end $$;
      create trigger refuse_one before insert on jobstar.resources
        for each row execute function pg_temp_refuse_one();`);
    try {
      const before = await countRows(sql);
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          mgr().create({
            payload: { data_id: i === 7 ? "refused" : `together:${i}`, algo: "mlp", params: {} },
          }),
        ),
      );
      expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
      expect(String((results[7] as PromiseRejectedResult).reason)).toContain("injected fault: refused");
      expect(await countRows(sql)).toEqual({
        resources: before.resources + 39,
        revisions: before.revisions + 39,
        queue: before.queue + 39,
      });
    } finally {
      await sql.unsafe("drop trigger refuse_one on jobstar.resources; drop function pg_temp_refuse_one();");
    }
  });

  it("rejects a payload PostgreSQL cannot store (a NUL character), naming the field", async () => {
    const error = await expectNoEffect(sql, log, () =>
      mgr().create({ payload: { data_id: "nul:\u0000", algo: "mlp", params: { "k\u0000": 1 } } }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([
      ["payload", "data_id"],
      ["payload", "params", "k\u0000"],
    ]);
  });
});

describe.each(BACKENDS)("on the %s queue", (backend) => {
  if (skipReason(backend)) return void it.skip(`${backend}: ${skipReason(backend)}`);
  // Each backend on a database of its own, so the checks after the tests see only its jobs.
  let url: string;
  let drop: () => Promise<void>;
  let sql: postgres.Sql;
  let log: EventLog;

  beforeAll(async () => {
    ({ url, drop } = await freshDatabase());
    sql = postgres(url, { max: 2, onnotice: () => {} });
    log = await EventLog.open(url);
  });

  afterAll(async () => {
    await log?.close();
    await sql?.end({ timeout: 5 });
    await drop?.();
    await removeBrokerQueues(queuePrefix(backend), ["training-job", "parked-job", "probe-job", "orphan-job"]);
  });

  describe("invariant 2: a LISTEN client sees exactly the committed transitions, in order", () => {
    let spec: Spec;
    let runtime: Runtime;
    const parked = new Probe();

    beforeAll(async () => {
      spec = backendSpec(backend, url);
      spec.addModel(new Schema(TrainingJob, "v1"), { jobHandler: training });
      spec.addModel(new Schema(ParkedJob, "v1"), { jobHandler: parked.handler });
      runtime = await spec.start();
      await spec.getResourceManager(TrainingJob).startConsume({ block: false });
    });
    afterAll(() => spec.close());

    it("pending → processing → completed", async () => {
      const info = await spec
        .getResourceManager(TrainingJob)
        .create({ payload: { data_id: "d:2", algo: "random-forest", params: {} } });
      const id = info.resourceId;
      await waitFor(
        async () => log.eventsOf(id),
        (events) => events.some((event) => event.status === TaskStatus.COMPLETED),
      );
      await log.settle();
      expect(log.eventsOf(id)).toEqual([
        { model: "TrainingJob", resourceId: id, revisionId: `${id}:1`, status: "pending" },
        { model: "TrainingJob", resourceId: id, revisionId: `${id}:2`, status: "processing" },
        { model: "TrainingJob", resourceId: id, revisionId: `${id}:3`, status: "completed" },
      ]);
    });

    it("pending → processing → cancelled, and the cancelled run adds nothing", async () => {
      const mgr = spec.getResourceManager(ParkedJob);
      const { resourceId: id } = await mgr.create({ payload: { label: "to cancel" } });
      parked.hold();
      const runner = new JobRunner({ ...runtime, model: registered(spec, ParkedJob) });
      const run = runner.process({ model: mgr.key, resourceId: id, attempt: 0 });
      await waitFor(
        () => statusOf(spec, ParkedJob, id),
        (status) => status === TaskStatus.PROCESSING,
      );
      await mgr.cancel(id);
      await run; // the handler saw its signal abort; the runner dropped its outcome
      parked.release();
      expect(parked.contexts.get(id)?.signal.aborted).toBe(true);
      await log.settle();
      expect(log.eventsOf(id)).toEqual([
        { model: "ParkedJob", resourceId: id, revisionId: `${id}:1`, status: "pending" },
        { model: "ParkedJob", resourceId: id, revisionId: `${id}:2`, status: "processing" },
        { model: "ParkedJob", resourceId: id, revisionId: `${id}:3`, status: "cancelled" },
      ]);
      expect((await mgr.getMeta(id)).totalRevisionCount).toBe(3);
    });

    it("a transaction that rolls back after its NOTIFY emits nothing", async () => {
      const mgr = spec.getResourceManager(ParkedJob);
      const resourceId = `parked-job:${randomUUID()}`;
      const now = new Date();
      const data = {
        payload: { label: "rolled back" },
        status: TaskStatus.PENDING,
        errmsg: null,
        artifact: null,
        retries: 0,
        maxRetries: 3,
        periodicIntervalSeconds: null,
        periodicMaxRuns: null,
        periodicRuns: 0,
        periodicInitialDelaySeconds: null,
        lastHeartbeatAt: null,
        partitionKey: null,
        idempotencyKey: null,
        priority: null,
        timeoutSeconds: null,
        runAt: null,
      };
      // A create: resource + revision + NOTIFY + queue entry, then a failure.
      const created = await expectNoEffect(sql, log, () =>
        inUnitOfWork(runtime.database.db, async (unit) => {
          await insertJobs(unit.sql, [
            {
              resourceId,
              model: mgr.key,
              modelName: mgr.name,
              schemaVersion: "v1",
              data,
              user: "test",
              now,
              runAt: null,
            },
          ]);
          await runtime.queue.enqueue(unit, { model: mgr.key, resourceId, attempt: 0 });
          throw new Error("fails after the NOTIFY");
        }),
      );
      expect(created).toHaveProperty("message", "fails after the NOTIFY");
      await expect(mgr.get(resourceId)).rejects.toHaveProperty("code", "NOT_FOUND");

      // A state change of an existing job: revision + NOTIFY, then a failure.
      const existing = await mgr.create({ payload: { label: "kept" } });
      const changed = await expectNoEffect(sql, log, () =>
        inUnitOfWork(runtime.database.db, async (unit) => {
          const row = await lockResourceRow(unit.tx, mgr.key, existing.resourceId);
          if (!row) throw new Error("no row");
          await appendRevision(unit.tx, row, mgr.name, {
            data: { ...row.data, status: TaskStatus.CANCELLED },
            status: "stable",
            user: "test",
            now: new Date(),
          });
          throw new Error("fails after the NOTIFY");
        }),
      );
      expect(changed).toHaveProperty("message", "fails after the NOTIFY");
      expect(await mgr.getMeta(existing.resourceId)).toMatchObject({
        currentRevisionId: existing.revisionId,
        totalRevisionCount: 1,
      });
      expect(await statusOf(spec, ParkedJob, existing.resourceId)).toBe(TaskStatus.PENDING);
    });
  });

  describe("invariant 4: a duplicate delivery changes nothing", () => {
    let spec: Spec;
    let runtime: Runtime;
    const consumed = new Probe();
    const parked = new Probe();

    beforeAll(async () => {
      spec = backendSpec(backend, url);
      spec.addModel(new Schema(ProbeJob, "v1"), { jobHandler: consumed.handler });
      // Not consumed: only this test's own process() calls deliver its jobs.
      spec.addModel(new Schema(ParkedJob, "v1"), { jobHandler: parked.handler });
      runtime = await spec.start();
      await spec.getResourceManager(ProbeJob).startConsume({ block: false });
    });
    afterAll(() => spec.close());

    it("of a completed job, by a direct call or through the queue", async () => {
      const mgr = spec.getResourceManager(ProbeJob);
      const { resourceId: id } = await mgr.create({ payload: { label: "once" } });
      await waitFor(
        () => statusOf(spec, ProbeJob, id),
        (status) => status === TaskStatus.COMPLETED,
      );
      const before = { job: await mgr.get(id), meta: await mgr.getMeta(id) };
      expect(before.meta.totalRevisionCount).toBe(3);
      expect(consumed.callsOf(id)).toBe(1);

      const runner = new JobRunner({ ...runtime, model: registered(spec, ProbeJob) });
      await runner.process({ model: mgr.key, resourceId: id, attempt: 0 });
      await runner.drain();

      // The same message again through the queue, to the running consumer: with the token it
      // was made for, and naming only the job (as a message from outside jobstar does). A job
      // created after them runs after them (one consumer slot, queues in order): once it is
      // done, both duplicates have been delivered.
      await inUnitOfWork(runtime.database.db, (unit) =>
        runtime.queue.enqueueMany(unit, [
          { model: mgr.key, resourceId: id, attempt: 0 },
          { model: mgr.key, resourceId: id, attempt: CURRENT_ATTEMPT },
        ]),
      );
      if (backend === "graphile") {
        // And an entry of the form made before attempt tokens existed (no token at all).
        await sql`select graphile_worker.add_job('jobstar:probe-job', json_build_object('resourceId', ${id}::text))`;
      }
      const { resourceId: after } = await mgr.create({ payload: { label: "after the duplicates" } });
      await waitFor(
        () => statusOf(spec, ProbeJob, after),
        (status) => status === TaskStatus.COMPLETED,
      );

      expect(consumed.callsOf(id)).toBe(1);
      expect(await mgr.getMeta(id)).toEqual(before.meta);
      expect(await mgr.get(id)).toEqual(before.job);
      await log.settle();
      expect(log.eventsOf(id).map((event) => event.status)).toEqual(["pending", "processing", "completed"]);
    });

    it("of a pending job delivered twice at once: the handler runs once", async () => {
      const mgr = spec.getResourceManager(ParkedJob);
      const { resourceId: id } = await mgr.create({ payload: { label: "twice" } });
      const runner = new JobRunner({ ...runtime, model: registered(spec, ParkedJob) });
      parked.hold();
      const message = { model: mgr.key, resourceId: id, attempt: 0 };
      const a = runner.process(message).then(() => "a");
      const b = runner.process(message).then(() => "b");
      // While the claimed run is held, the other delivery finds the job taken and returns.
      await Promise.race([a, b]);
      await waitFor(
        async () => parked.callsOf(id),
        (calls) => calls > 0,
      );
      expect(parked.callsOf(id)).toBe(1);
      expect(await statusOf(spec, ParkedJob, id)).toBe(TaskStatus.PROCESSING);
      parked.release();
      await Promise.all([a, b]);
      await runner.drain();

      expect(parked.callsOf(id)).toBe(1);
      const history = await mgr.listRevisions(id);
      expect(history.totalCount).toBe(3);
      expect(history.items.map((r) => r.data.status)).toEqual(["pending", "processing", "completed"]);
      expect(history.items[1]?.info.updatedBy).toBe(`worker:${runtime.workerId}`);
      expect(history.items[2]?.data.artifact).toEqual({ label: "twice", call: 1 });
    });
  });

  describe("invariant 3: a job whose worker went silent is recovered and finished", () => {
    let spec: Spec;
    let runtime: Runtime;
    const probe = new Probe();

    beforeAll(async () => {
      spec = backendSpec(backend, url);
      spec.addModel(new Schema(OrphanJob, "v1"), { jobHandler: probe.handler });
      runtime = await spec.start();
    });
    afterAll(() => spec.close());

    it("goes back to PENDING with a retry spent, then a consumer completes it", async () => {
      const mgr = spec.getResourceManager(OrphanJob);
      const model = registered(spec, OrphanJob);
      const { resourceId: id } = await mgr.create({ payload: { label: "orphan" } });

      // A worker that claims the job and then says nothing more: its handler waits,
      // and its heartbeats are never sent (as by a paused process).
      probe.hold();
      const silence = new Liveness(runtime.database.sql, runtime.settings, runtime.queue, runtime.logger);
      const silent = new JobRunner({ ...runtime, model, liveness: silence });
      const run = silent.process({ model: mgr.key, resourceId: id, attempt: 0 });
      await waitFor(
        () => statusOf(spec, OrphanJob, id),
        (status) => status === TaskStatus.PROCESSING,
      );

      // A heartbeat younger than staleAfter: left alone.
      const sweeper = (staleAfter: number) =>
        new Sweeper({ ...runtime, models: () => [model], settings: { ...runtime.settings, staleAfter } });
      expect((await sweeper(3600).sweep()).recovered).toBe(0);

      // Older than staleAfter (0.2 s here): recovered. Polled rather than given a
      // future `now`, because recovery stamps its revision and the re-queue with `now`.
      const watchful = sweeper(0.3);
      await waitFor(
        async () => (await watchful.sweep()).recovered,
        (recovered) => recovered === 1,
      );
      const recovered = await mgr.get(id);
      expect(recovered.data).toMatchObject({ status: TaskStatus.PENDING, retries: 1, lastHeartbeatAt: null });
      expect(recovered.data.errmsg).toMatch(/^worker lost/);
      expect(recovered.info).toMatchObject({ revisionId: `${id}:3`, updatedBy: "jobstar:recovery" });
      expect((await watchful.sweep()).recovered).toBe(0);

      // The silent worker wakes up: its next heartbeat tells it the job is gone, its
      // handler is aborted and its outcome is dropped.
      await probe.contexts.get(id)?.heartbeat();
      await run;
      await silent.drain();
      expect(probe.contexts.get(id)?.signal.aborted).toBe(true);
      expect((await mgr.getMeta(id)).totalRevisionCount).toBe(3);

      probe.release();
      await mgr.startConsume({ block: false });
      const done = await waitFor(
        () => mgr.get(id),
        (job) => job.data.status === TaskStatus.COMPLETED,
      );
      expect(done.data).toMatchObject({ retries: 1, errmsg: null, artifact: { label: "orphan", call: 2 } });
      expect(probe.callsOf(id)).toBe(2);
      const history = await mgr.listRevisions(id);
      expect(history.items.map((r) => [r.data.status, r.data.retries])).toEqual([
        ["pending", 0],
        ["processing", 0],
        ["pending", 1],
        ["processing", 1],
        ["completed", 1],
      ]);
    });
  });

  describe("after every test above", () => {
    // (Entries of earlier states of a job may remain until delivered: their claim drops them.)
    it.runIf(backend === "graphile")(
      "never leaves a queue entry without its resource, or a pending resource without its entry",
      async () => {
        const [orphans] = await sql<{ entries: number; resources: number }[]>`select
        (select count(*) from graphile_worker.jobs j
          where not exists (
            select 1 from jobstar.resources r where r.resource_id = split_part(j.key, '#', 1)))::int as entries,
        (select count(*) from jobstar.resources r
          where r.status = 'pending'
            and not exists (
              select 1 from graphile_worker.jobs j where j.key = r.resource_id || '#' || r.attempt))::int as resources`;
        expect(orphans).toEqual({ entries: 0, resources: 0 });
      },
    );

    it.runIf(brokerOf(backend) !== null)(
      "publishes every outbox row: none is left once the queue is idle",
      async () => {
        await waitFor(
          () => sql<{ n: number }[]>`select count(*)::int as n from jobstar.outbox`,
          ([row]) => row?.n === 0,
        );
      },
    );
  });
});
