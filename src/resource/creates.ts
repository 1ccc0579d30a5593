import { randomUUID } from "node:crypto";
import { ConflictError, NotFoundError, ValidationError, type ValidationIssue } from "../errors.js";
import { type JobData, toJobData } from "../model/job.js";
import type { RegisteredModel } from "../model/registration.js";
import { TaskStatus } from "../model/task-status.js";
import { checkJobOptions, checkPayloadStorable, parseWith } from "../model/validate.js";
import { Batcher } from "../queue/batcher.js";
import { canonicalJson } from "../store/canonical-json.js";
import { getResourceRow, getRevisionRow } from "../store/queries/get-resource.js";
import { insertJobs } from "../store/queries/insert-jobs.js";
import type { RevisionRow } from "../store/queries/rows.js";
import { inUnitOfWork, type UnitOfWork } from "../store/unit-of-work.js";
import type { Runtime } from "./runtime.js";

/** A validated job to store, and who creates it. */
export interface NewJob {
  data: JobData;
  user: string;
  /**
   * Called, before the transaction commits, if the job's idempotency key named an existing
   * job; throwing rolls the whole create back.
   */
  vetExisting?: ((resourceId: string) => Promise<void>) | undefined;
}

/** A job as stored by a create, and whether that create made it. */
export interface Stored {
  created: boolean;
  revision: RevisionRow;
}

/**
 * The creates of one model: what callers submit, validated into the data a new job is
 * stored with, and the transaction that stores jobs and enqueues them (two statements,
 * however many jobs). Single creates of concurrent callers share that transaction.
 */
export class Creates {
  /** Single creates of concurrent callers, stored together (group commit). */
  private readonly batches = new Batcher<NewJob, Stored>((jobs) => this.store(jobs), {
    maxSize: 500,
    maxInFlight: 2,
  });

  constructor(
    private readonly registered: RegisteredModel,
    private readonly runtime: () => Promise<Runtime>,
  ) {}

  /**
   * Stores one job, in the transaction of whichever creates are waiting with it; answers
   * once that transaction has committed. A job the database refuses fails alone.
   */
  one(job: NewJob): Promise<Stored> {
    return this.batches.submit(job);
  }

  /** The data `job` is stored with when created; a {@link ValidationError} names what is wrong. */
  prepare(job: unknown, maxRetries: number): JobData {
    const { schema, maxPayloadBytes } = this.registered;
    const candidate = job instanceof schema.model ? job : toJobData(new schema.model(job as never));
    const context = `invalid ${schema.name}`;
    const payload = parseWith(schema.model.payloadSchema, candidate.payload, "payload", context);
    checkPayloadStorable(payload, maxPayloadBytes, schema.name);
    checkJobOptions(candidate, schema.name);
    return {
      ...toJobData(candidate),
      payload,
      runAt: candidate.runAt === null ? null : new Date(candidate.runAt).toISOString(),
      status: TaskStatus.PENDING,
      errmsg: null,
      artifact: null,
      retries: 0,
      maxRetries: candidate.maxRetries ?? maxRetries,
      periodicRuns: 0,
      lastHeartbeatAt: null,
    };
  }

  /**
   * {@link prepare} of each of `jobs`, or one {@link ValidationError} naming every bad job
   * by its index (e.g. `3.payload.algo`).
   */
  prepareAll(jobs: readonly unknown[], maxRetries: number): JobData[] {
    const issues: ValidationIssue[] = [];
    const data: JobData[] = [];
    for (const [i, job] of jobs.entries()) {
      try {
        data.push(this.prepare(job, maxRetries));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        issues.push(...error.issues.map((issue) => ({ ...issue, path: [i, ...issue.path] })));
      }
    }
    if (issues.length > 0) throw new ValidationError(issues, `invalid ${this.registered.schema.name}s`);
    return data;
  }

  /**
   * Stores and enqueues validated jobs in one transaction: all of them or none. A job
   * whose idempotency key names an existing job (or an earlier one of `jobs`) is that
   * job, if the payloads are equal; else the whole call fails with a {@link ConflictError}.
   */
  async store(jobs: NewJob[]): Promise<Stored[]> {
    const { schema } = this.registered;
    const { database, queue } = await this.runtime();
    const now = new Date();
    const inserts = jobs.map(({ data, user }) => {
      const delay = data.periodicInitialDelaySeconds;
      const runAt = data.runAt ? new Date(data.runAt) : delay ? new Date(now.getTime() + delay * 1000) : null;
      return {
        resourceId: `${schema.key}:${randomUUID()}`,
        model: schema.key,
        modelName: schema.name,
        schemaVersion: schema.version,
        data,
        user,
        now,
        runAt,
      };
    });
    return inUnitOfWork(database.db, async (unit) => {
      const results = await insertJobs(unit.sql, inserts);
      await queue.enqueueMany(
        unit,
        inserts
          .filter((_, i) => results[i]?.created)
          .map((insert) => ({
            model: schema.key,
            resourceId: insert.resourceId,
            attempt: 0,
            priority: insert.data.priority ?? 0,
            ...(insert.runAt ? { runAt: insert.runAt } : {}),
          })),
      );
      return Promise.all(
        results.map(async (result, i): Promise<Stored> => {
          if (result.created) return { created: true, revision: result.revision };
          const job = jobs[i] as NewJob;
          await job.vetExisting?.(result.holder);
          const revision = await this.current(unit, result.holder);
          if (canonicalJson(revision.data.payload) !== canonicalJson(job.data.payload)) {
            throw new ConflictError(
              `idempotency key "${job.data.idempotencyKey}" is already used by ${result.holder}, with a different payload`,
            );
          }
          return { created: false, revision };
        }),
      );
    });
  }

  /** The current revision of a job of this model, read in `unit`. */
  private async current(unit: UnitOfWork, resourceId: string): Promise<RevisionRow> {
    const { schema } = this.registered;
    const row = await getResourceRow(unit.tx, schema.key, resourceId);
    if (!row) throw new NotFoundError(schema.name, resourceId);
    const revision = await getRevisionRow(unit.tx, resourceId, row.currentRevisionId);
    if (!revision) throw new NotFoundError(`${schema.name} revision of`, resourceId);
    return revision;
  }
}
