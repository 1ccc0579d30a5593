// Bad input and impossible requests fail with typed errors and stable codes, and a
// failed write leaves no trace (no resource, revision, queue entry or event).
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConfigurationError,
  ConflictError,
  JobstarError,
  ModelAlreadyRegisteredError,
  ModelNotRegisteredError,
  NotFoundError,
  Schema,
  Spec,
  TaskStatus,
  ValidationError,
} from "../src/index.js";
import { JobRunner } from "../src/queue/job-runner.js";
import type { Runtime } from "../src/resource/runtime.js";
import { TrainingJob, training } from "./fixtures/models.js";
import { HandlerlessJob, ParkedJob, Probe } from "./fixtures/probe.js";
import { freshDatabase } from "./support/database.js";
import { EventLog, expectNoEffect } from "./support/effects.js";
import { queueFactory } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

const MAX_PAYLOAD_BYTES = 200;

let drop: () => Promise<void>;
let sql: postgres.Sql;
let log: EventLog;
let spec: Spec;
let runtime: Runtime;
const parked = new Probe();

beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
  log = await EventLog.open(db.url);
  // Nothing is consumed: only the tests' own writes move the row counts.
  spec = new Spec().configure({ databaseUrl: db.url, messageQueueFactory: queueFactory("graphile") });
  spec.addModel(new Schema(TrainingJob, "v1"), { jobHandler: training, maxPayloadBytes: MAX_PAYLOAD_BYTES });
  spec.addModel(new Schema(ParkedJob, "v1"), { jobHandler: parked.handler });
  spec.addModel(new Schema(HandlerlessJob, "v1"));
  runtime = await spec.start();
});

afterAll(async () => {
  await spec?.close();
  await log?.close();
  await sql?.end({ timeout: 5 });
  await drop?.();
});

const training_ = () => spec.getResourceManager(TrainingJob);
const parkedJobs = () => spec.getResourceManager(ParkedJob);
const untyped = (value: unknown) => value as never;

/** Expects a {@link ValidationError} with `code` whose message and issue paths name `path`. */
function expectValidation(error: unknown, path: (string | number)[]): ValidationError {
  expect(error).toBeInstanceOf(ValidationError);
  const validation = error as ValidationError;
  expect(validation.code).toBe("VALIDATION_FAILED");
  expect(validation.name).toBe("ValidationError");
  expect(validation.message).toContain(path.join("."));
  expect(validation.issues.map((issue) => issue.path)).toContainEqual(path);
  return validation;
}

describe("creating a job with bad input writes nothing", () => {
  it("payload failing its schema: names payload.algo", async () => {
    const error = await expectNoEffect(sql, log, () =>
      training_().create({ payload: untyped({ data_id: "d", algo: "svm", params: {} }) }),
    );
    const validation = expectValidation(error, ["payload", "algo"]);
    expect(validation.message).toMatch(/^invalid TrainingJob: payload\.algo: /);
  });

  it("a missing payload field: names payload.data_id", async () => {
    const error = await expectNoEffect(sql, log, () =>
      training_().create({ payload: untyped({ algo: "mlp", params: {} }) }),
    );
    expectValidation(error, ["payload", "data_id"]);
  });

  it("several bad fields: names each of them", async () => {
    const error = await expectNoEffect(sql, log, () =>
      training_().create({ payload: untyped({ data_id: 7, algo: "mlp", params: [] }) }),
    );
    const validation = expectValidation(error, ["payload", "data_id"]);
    expect(validation.issues.map((issue) => issue.path)).toEqual([
      ["payload", "data_id"],
      ["payload", "params"],
    ]);
  });

  it("an oversized payload: names payload and the limit", async () => {
    const error = await expectNoEffect(sql, log, () =>
      training_().create({ payload: { data_id: "d", algo: "mlp", params: { blob: "x".repeat(500) } } }),
    );
    const validation = expectValidation(error, ["payload"]);
    expect(validation.message).toContain(`limit of ${MAX_PAYLOAD_BYTES}`);
  });

  it("invalid job options: names maxRetries", async () => {
    const error = await expectNoEffect(sql, log, () =>
      training_().create({ payload: { data_id: "d", algo: "mlp", params: {} }, maxRetries: -1 }),
    );
    const validation = expectValidation(error, ["maxRetries"]);
    expect(validation.message).toContain("maxRetries: must be at least 0");
  });

  it("a periodic interval that is not positive: names periodicIntervalSeconds", async () => {
    const error = await expectNoEffect(sql, log, () =>
      training_().create({ payload: { data_id: "d", algo: "mlp", params: {} }, periodicIntervalSeconds: 0 }),
    );
    expectValidation(error, ["periodicIntervalSeconds"]);
  });

  it("a delay beyond any schedulable time: names periodicInitialDelaySeconds", async () => {
    // 1e13 s from now is past the largest Date: rejected up front, not as a RangeError mid-transaction.
    const error = await expectNoEffect(sql, log, () =>
      training_().create({
        payload: { data_id: "d", algo: "mlp", params: {} },
        periodicInitialDelaySeconds: 1e13,
      }),
    );
    expectValidation(error, ["periodicInitialDelaySeconds"]);
  });
});

describe("unknown resources", () => {
  const missing = "parked-job:00000000-0000-0000-0000-000000000000";

  it.each([
    ["get", () => parkedJobs().get(missing)],
    ["getMeta", () => parkedJobs().getMeta(missing)],
    ["listRevisions", () => parkedJobs().listRevisions(missing)],
    ["getLogs", () => parkedJobs().getLogs(missing)],
  ])("%s → NotFoundError", async (_name, read) => {
    const error = await read().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: "NOT_FOUND", message: `ParkedJob not found: ${missing}` });
  });

  it.each([
    ["rerun", () => parkedJobs().rerun(missing)],
    ["cancel", () => parkedJobs().cancel(missing)],
  ])("%s → NotFoundError, nothing written", async (_name, write) => {
    const error = await expectNoEffect(sql, log, write);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: "NOT_FOUND" });
  });

  it("a job of another model is not found through this model's manager", async () => {
    const { resourceId } = await training_().create({ payload: { data_id: "d", algo: "mlp", params: {} } });
    await expect(parkedJobs().get(resourceId)).rejects.toBeInstanceOf(NotFoundError);
    const error = await expectNoEffect(sql, log, () => parkedJobs().cancel(resourceId));
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it("an unknown revision of a known job → NotFoundError", async () => {
    const { resourceId } = await parkedJobs().create({ payload: { label: "r" } });
    await expect(parkedJobs().get(resourceId, { revisionId: `${resourceId}:9` })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("models", () => {
  it("registering a model twice → ModelAlreadyRegisteredError", () => {
    expect(() => spec.addModel(new Schema(TrainingJob, "v2"))).toThrow(ModelAlreadyRegisteredError);
    expect(() => spec.addModel(new Schema(TrainingJob, "v1"))).toThrow(
      expect.objectContaining({
        code: "MODEL_ALREADY_REGISTERED",
        message: "model is already registered: TrainingJob",
      }),
    );
  });

  it("the manager of an unregistered model → ModelNotRegisteredError", () => {
    const other = new Spec();
    expect(() => other.getResourceManager(TrainingJob)).toThrow(ModelNotRegisteredError);
    expect(() => spec.getResourceManager("NoSuchJob")).toThrow(
      expect.objectContaining({
        code: "MODEL_NOT_REGISTERED",
        message: "model is not registered: NoSuchJob",
      }),
    );
  });

  it("consuming a model without a handler → ConfigurationError", async () => {
    const error = await spec
      .getResourceManager(HandlerlessJob)
      .startConsume({ block: false })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: "CONFIGURATION" });
    expect((error as Error).message).toContain("HandlerlessJob has no jobHandler");
  });

  it("configuring a spec that has started → ConfigurationError", () => {
    expect(() => spec.configure({ maxConnections: 2 })).toThrow(ConfigurationError);
  });
});

describe("state conflicts", () => {
  it("rerun of a pending job → ConflictError, nothing written", async () => {
    const { resourceId } = await parkedJobs().create({ payload: { label: "pending" } });
    const error = await expectNoEffect(sql, log, () => parkedJobs().rerun(resourceId));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: "CONFLICT" });
    expect((error as Error).message).toContain("it is pending");
  });

  it("rerun of a running job → ConflictError, nothing written; cancel of a finished one likewise", async () => {
    const { resourceId } = await parkedJobs().create({ payload: { label: "running" } });
    parked.hold();
    const runner = new JobRunner({ ...runtime, model: registeredParked() });
    const run = runner.process({ model: parkedJobs().key, resourceId, attempt: 0 });
    try {
      await waitFor(
        () => parkedJobs().get(resourceId),
        (job) => job.data.status === TaskStatus.PROCESSING,
      );
      const error = await expectNoEffect(sql, log, () => parkedJobs().rerun(resourceId));
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toContain("it is processing");
    } finally {
      parked.release();
      await run;
      await runner.drain();
    }
    expect((await parkedJobs().get(resourceId)).data.status).toBe(TaskStatus.COMPLETED);
    const error = await expectNoEffect(sql, log, () => parkedJobs().cancel(resourceId));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: "CONFLICT" });
  });
});

describe("listing", () => {
  it("a malformed cursor → ValidationError naming after (or before)", async () => {
    expectValidation(
      await parkedJobs()
        .list({ after: "not-a-cursor" })
        .catch((e: unknown) => e),
      ["after"],
    );
    expectValidation(
      await parkedJobs()
        .list({ before: "bm9wZQ" })
        .catch((e: unknown) => e),
      ["before"],
    );
  });

  it("a page size out of range → ValidationError naming limit", async () => {
    expectValidation(
      await parkedJobs()
        .list({ limit: 0 })
        .catch((e: unknown) => e),
      ["limit"],
    );
  });
});

it("every error above is a JobstarError with a stable code", () => {
  for (const error of [
    new ValidationError([{ path: ["payload", "x"], message: "bad" }]),
    new NotFoundError("ParkedJob", "parked-job:1"),
    new ConflictError("no"),
    new ModelNotRegisteredError("X"),
    new ModelAlreadyRegisteredError("X"),
    new ConfigurationError("no"),
  ]) {
    expect(error).toBeInstanceOf(JobstarError);
    expect(error.code).toMatch(/^[A-Z_]+$/);
  }
});

function registeredParked() {
  const found = spec.registeredModels().find((m) => m.schema.model === ParkedJob);
  if (!found) throw new Error("ParkedJob is not registered");
  return found;
}
