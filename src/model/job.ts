import type { z } from "zod";
import { TaskStatus } from "./task-status.js";

/**
 * The data of every job: its payload and SpecStar's job fields.
 * `P` is the payload type, `A` the artifact (output) type.
 */
export interface JobData<P = unknown, A = unknown> {
  payload: P;
  status: TaskStatus;
  /** Why the last run failed, if it did. */
  errmsg: string | null;
  /** The typed output of a completed run. */
  artifact: A | null;
  /** Failed runs so far; each spends one of `maxRetries`. */
  retries: number;
  /** Failed runs allowed before the job is FAILED; `null` takes the queue factory's default. */
  maxRetries: number | null;
  /** When set, a completed run schedules the next one this many seconds later. */
  periodicIntervalSeconds: number | null;
  /** How many runs a periodic job makes at most; `null` is unbounded. */
  periodicMaxRuns: number | null;
  /** Runs a periodic job has completed. */
  periodicRuns: number;
  /** Delay before the first run, in seconds. */
  periodicInitialDelaySeconds: number | null;
  /** ISO 8601 time of the running handler's last sign of life. */
  lastHeartbeatAt: string | null;
  /** Free-form grouping key, indexed for listing. */
  partitionKey: string | null;
  /**
   * Creating a second job with the same key (per model) and the same payload returns the
   * first one; with another payload it is a conflict.
   */
  idempotencyKey: string | null;
  /** Higher runs first among jobs that are due. `null` is 0. */
  priority: number | null;
  /** A run taking longer fails (spending a retry); overrides the model's `timeoutSeconds`. */
  timeoutSeconds: number | null;
  /** ISO 8601 time before which the first run does not start (instead of an initial delay). */
  runAt: string | null;
}

/**
 * What a caller gives to make a job: the payload, and optionally the job options
 * (each defaults to null: the queue factory's or the model's setting, or none).
 * `runAt` may be a Date or an ISO 8601 string.
 */
export type JobInit<P> = { payload: P } & Partial<
  Pick<
    JobData,
    | "maxRetries"
    | "periodicIntervalSeconds"
    | "periodicMaxRuns"
    | "periodicInitialDelaySeconds"
    | "partitionKey"
    | "idempotencyKey"
    | "priority"
    | "timeoutSeconds"
  >
> & { runAt?: Date | string | null };

/**
 * The static side of a job model class made by {@link Job}. Used as a constraint; the
 * constructor's parameter is `never` so that every model's typed constructor fits.
 */
export interface JobModel<P extends z.ZodType = z.ZodType, A extends z.ZodType = z.ZodType> {
  new (init: never): JobData<z.output<P>, z.output<A>>;
  readonly name: string;
  readonly payloadSchema: P;
  readonly artifactSchema: A | null;
  readonly prototype: JobData<z.output<P>, z.output<A>>;
}

/** The instance type of a job model class. */
export type JobOf<M extends JobModel> = InstanceType<M>;

/** What the constructor of a job model class takes. */
export type JobInitOf<M extends JobModel> = ConstructorParameters<M>[0];

/**
 * Makes a job model class from a payload schema and an optional artifact schema.
 * Extend it to name the model: `class TrainingJob extends Job(TrainingPayload) {}`.
 */
export function Job<P extends z.ZodType, A extends z.ZodType = z.ZodUnknown>(
  payloadSchema: P,
  artifactSchema?: A,
) {
  return class JobBase implements JobData<z.output<P>, z.output<A>> {
    static readonly payloadSchema: P = payloadSchema;
    static readonly artifactSchema: A | null = artifactSchema ?? null;

    payload: z.output<P>;
    status: TaskStatus = TaskStatus.PENDING;
    errmsg: string | null = null;
    artifact: z.output<A> | null = null;
    retries = 0;
    maxRetries: number | null;
    periodicIntervalSeconds: number | null;
    periodicMaxRuns: number | null;
    periodicRuns = 0;
    periodicInitialDelaySeconds: number | null;
    lastHeartbeatAt: string | null = null;
    partitionKey: string | null;
    idempotencyKey: string | null;
    priority: number | null;
    timeoutSeconds: number | null;
    runAt: string | null;

    constructor(init: JobInit<z.input<P>>) {
      // The payload is validated (and transformed) by the resource manager, so
      // that bad input is reported with its field path instead of thrown here.
      this.payload = init.payload as z.output<P>;
      this.maxRetries = init.maxRetries ?? null;
      this.periodicIntervalSeconds = init.periodicIntervalSeconds ?? null;
      this.periodicMaxRuns = init.periodicMaxRuns ?? null;
      this.periodicInitialDelaySeconds = init.periodicInitialDelaySeconds ?? null;
      this.partitionKey = init.partitionKey ?? null;
      this.idempotencyKey = init.idempotencyKey ?? null;
      this.priority = init.priority ?? null;
      this.timeoutSeconds = init.timeoutSeconds ?? null;
      this.runAt = toIsoTime(init.runAt);
    }
  };
}

/** A Date to ISO 8601; a string is kept as given (checked by the resource manager). */
function toIsoTime(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  return value;
}

/** Plain job data (as stored) to an instance of the model class. */
export function hydrate<M extends JobModel>(model: M, data: JobData): JobOf<M> {
  return Object.assign(Object.create(model.prototype) as JobOf<M>, data);
}

/** An instance's own fields, as stored in jsonb. */
export function toJobData(job: JobData): JobData {
  return {
    payload: job.payload,
    status: job.status,
    errmsg: job.errmsg,
    artifact: job.artifact,
    retries: job.retries,
    maxRetries: job.maxRetries,
    periodicIntervalSeconds: job.periodicIntervalSeconds,
    periodicMaxRuns: job.periodicMaxRuns,
    periodicRuns: job.periodicRuns,
    periodicInitialDelaySeconds: job.periodicInitialDelaySeconds,
    lastHeartbeatAt: job.lastHeartbeatAt,
    partitionKey: job.partitionKey,
    idempotencyKey: job.idempotencyKey,
    // Jobs stored before these options existed lack them.
    priority: job.priority ?? null,
    timeoutSeconds: job.timeoutSeconds ?? null,
    runAt: job.runAt ?? null,
  };
}
