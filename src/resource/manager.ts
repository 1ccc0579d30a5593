import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { hydrate, type JobData, type JobInitOf, type JobModel, type JobOf } from "../model/job.js";
import { currentView } from "../model/migration.js";
import { checkPayloadFilter } from "../model/payload-fields.js";
import type { RegisteredModel } from "../model/registration.js";
import { isTerminal, TaskStatus } from "../model/task-status.js";
import { inSpan } from "../observability/tracing.js";
import { enqueuePartitionHeads } from "../queue/partitions.js";
import { migrateStoredJobs } from "../queue/schema-migration.js";
import { appendRevision } from "../store/queries/append-revision.js";
import { getResourceRow, getRevisionRows, lockResourceRow } from "../store/queries/get-resource.js";
import { getLogs } from "../store/queries/job-logs.js";
import {
  countResources,
  encodeCursor,
  listResourceRows,
  type ResourceFilter,
  type SortField,
} from "../store/queries/list-resources.js";
import { countRevisions, listRevisionRows } from "../store/queries/list-revisions.js";
import { readRevision } from "../store/queries/read-revision.js";
import { type ResourceRow, type RevisionRow, toResourceMeta, toRevisionInfo } from "../store/queries/rows.js";
import { inUnitOfWork, type UnitOfWork } from "../store/unit-of-work.js";
import { actor } from "./actor.js";
import { defaultPolicy, JobAccess, type Principal } from "./authorize.js";
import { type ConsumeOptions, Consuming, type StopOptions } from "./consuming.js";
import { Creates, type Stored } from "./creates.js";
import type { Runtime } from "./runtime.js";
import type { JobLog, Page, Resource, ResourceMeta, RevisionInfo } from "./types.js";

export type { ConsumeOptions, StopOptions } from "./consuming.js";

/** How to submit (for the API layers). */
export interface SubmitOptions extends WriteOptions {
  /**
   * Called, before the transaction commits, for each job whose idempotency key named an
   * existing job; throwing rolls the whole submit back.
   */
  vetExisting?: (resourceId: string) => Promise<void>;
}

/** A submitted job as stored, and whether this submit created it (false: its idempotency key named an existing job). */
export interface Submitted<M extends JobModel = JobModel> {
  created: boolean;
  resource: Resource<JobOf<M>>;
}

/** Who performs a write. */
export interface WriteOptions {
  /** The actor recorded as `createdBy`/`updatedBy`. Default: the `spec.using` scope's, else `"anonymous"`. */
  user?: string;
}

/** Which jobs to list and how. */
export interface ListOptions extends ResourceFilter {
  /** Default: `createdTime`. */
  sortBy?: SortField;
  /** Default: `desc` (newest first). */
  order?: "asc" | "desc";
  /** Items per page, 1 to 1000. Default: 50. */
  limit?: number;
  /** A `nextCursor` from the previous page. */
  after?: string;
  /** Only items before this cursor (paging backwards). */
  before?: string;
}

/** A page of revisions. */
export interface RevisionListOptions {
  /** Default: `asc` (oldest first). */
  order?: "asc" | "desc";
  /** Default: 100. */
  limit?: number;
  /** Revision number to continue after. */
  after?: number;
  /** Revision number to stop before. */
  before?: number;
}

/**
 * Creates, reads and manages the jobs of one model, and consumes them. Every write
 * is one transaction: the revision, its NOTIFY and any queue entry commit together.
 */
export class ResourceManager<M extends JobModel = JobModel> {
  /** Validation and storage of new jobs. */
  private readonly creates: Creates;
  /** This model's consumer in this process. */
  private readonly consuming: Consuming;

  constructor(
    private readonly registered: RegisteredModel,
    private readonly runtime: () => Promise<Runtime>,
  ) {
    this.creates = new Creates(registered, runtime);
    this.consuming = new Consuming(registered, runtime);
  }

  /** The model's name, e.g. `TrainingJob`. */
  get name(): string {
    return this.registered.schema.name;
  }

  /** The model's resource-id prefix, e.g. `training-job`. */
  get key(): string {
    return this.registered.schema.key;
  }

  /**
   * This model's jobs as `principal` may see and change them, under the model's policy
   * (`authorize` of `spec.addModel`, else `defaultPolicy`). This manager's own methods check nothing.
   */
  as(principal: Principal): JobAccess<M> {
    return new JobAccess(this, this.registered.authorize ?? defaultPolicy, principal);
  }

  /**
   * Validates and stores a new PENDING job and enqueues it. With an `idempotencyKey`
   * already used by a job of this model, returns that job's current revision instead if
   * the payloads are equal, else throws a {@link ConflictError} naming the key.
   */
  async create(job: JobOf<M> | JobInitOf<M>, options: WriteOptions = {}): Promise<RevisionInfo> {
    return (await this.submitOne(job, options)).resource.info;
  }

  /**
   * Validates, stores and enqueues many new jobs in one transaction: all of them or, if
   * any is invalid, none (the error names each bad one by its index, e.g.
   * `3.payload.algo`). Answers in the order given; a job whose `idempotencyKey` is
   * already used (by a stored job or an earlier one of `jobs`) gets that job's current
   * revision, or fails all with a conflict on another payload, as {@link create} does.
   */
  async createMany(
    jobs: ReadonlyArray<JobOf<M> | JobInitOf<M>>,
    options: WriteOptions = {},
  ): Promise<RevisionInfo[]> {
    return (await this.submitMany(jobs, options)).map((submitted) => submitted.resource.info);
  }

  /**
   * {@link create}, answering the job as stored and whether this call created it (false:
   * its idempotency key named an existing job). Concurrent calls are stored together
   * (group commit): each still gets its own answer once the transaction holding its job
   * has committed, and a job the database refuses fails alone.
   * @internal For the API layers.
   */
  async submitOne(job: JobOf<M> | JobInitOf<M>, options: SubmitOptions = {}): Promise<Submitted<M>> {
    const { settings } = await this.runtime();
    const data = this.creates.prepare(job, settings.maxRetries);
    return inSpan(`jobstar.create ${this.name}`, { "jobstar.model": this.name }, async (span) => {
      const stored = await this.creates.one({
        data,
        user: actor(options.user),
        vetExisting: options.vetExisting,
      });
      span.setAttribute("jobstar.resource_id", stored.revision.resourceId);
      return this.toSubmitted(stored);
    });
  }

  /**
   * {@link createMany}, answering each job as stored and whether this call created it.
   * @internal For the API layers.
   */
  async submitMany(
    jobs: ReadonlyArray<JobOf<M> | JobInitOf<M>>,
    options: SubmitOptions = {},
  ): Promise<Submitted<M>[]> {
    if (jobs.length === 0) return [];
    const { settings } = await this.runtime();
    const user = actor(options.user);
    const data = this.creates.prepareAll(jobs, settings.maxRetries);
    const attributes = { "jobstar.model": this.name, "jobstar.count": jobs.length };
    return inSpan(`jobstar.createMany ${this.name}`, attributes, async () => {
      const stored = await this.creates.store(
        data.map((d) => ({ data: d, user, vetExisting: options.vetExisting })),
      );
      return stored.map((s) => this.toSubmitted(s));
    });
  }

  private toSubmitted(stored: Stored): Submitted<M> {
    return { created: stored.created, resource: this.toResource(stored.revision) };
  }

  /** The job's current revision, or the revision `revisionId`. */
  async get(resourceId: string, options: { revisionId?: string } = {}): Promise<Resource<JobOf<M>>> {
    const { database } = await this.runtime();
    const revision = await readRevision(database.sql, this.key, resourceId, options.revisionId ?? null);
    if (revision) return this.toResource(revision);
    // Which one is missing: the job, or the revision asked for?
    const row = await getResourceRow(database.db, this.key, resourceId);
    if (!row) throw new NotFoundError(this.name, resourceId);
    throw new NotFoundError(`${this.name} revision`, options.revisionId ?? row.currentRevisionId);
  }

  /** The job's resource-level metadata. */
  async getMeta(resourceId: string): Promise<ResourceMeta> {
    const { database } = await this.runtime();
    const row = await getResourceRow(database.db, this.key, resourceId);
    if (!row) throw new NotFoundError(this.name, resourceId);
    return toResourceMeta(row);
  }

  /**
   * A page of the model's jobs (current revisions), filtered and sorted, with the total
   * count. `payload` filters top-level scalar payload fields: `{ algo: "mlp", epochs: { gte: 3 } }`
   * (a value is equality; `eq`, `in`, and for numbers and dates `gt`, `gte`, `lt`, `lte`).
   */
  async list(options: ListOptions = {}): Promise<Page<Resource<JobOf<M>>>> {
    const { database } = await this.runtime();
    const { sortBy = "createdTime", order = "desc", limit = 50, after, before, ...filter } = options;
    if (filter.payload !== undefined) {
      filter.payload = checkPayloadFilter(this.registered.schema.model.payloadSchema, filter.payload);
    }
    const slice = { sortBy, order, limit: clampLimit(limit, 1000), after, before };
    const [{ rows, hasMore }, totalCount] = await Promise.all([
      listResourceRows(database.db, this.key, filter, slice),
      countResources(database.db, this.key, filter),
    ]);
    const revisions = new Map(
      (
        await getRevisionRows(
          database.db,
          rows.map((row) => row.currentRevisionId),
        )
      ).map((r) => [r.revisionId, r]),
    );
    const items = rows.map((row) =>
      this.toResource(this.found(revisions.get(row.currentRevisionId), row.resourceId)),
    );
    const cursors = rows.map((row) => encodeCursor(row, sortBy));
    return { items, cursors, hasMore, totalCount, nextCursor: hasMore ? (cursors.at(-1) ?? null) : null };
  }

  /** A page of the job's revisions, oldest first by default: its audit history. */
  async listRevisions(
    resourceId: string,
    options: RevisionListOptions = {},
  ): Promise<Page<Resource<JobOf<M>>>> {
    const { database } = await this.runtime();
    if (!(await getResourceRow(database.db, this.key, resourceId)))
      throw new NotFoundError(this.name, resourceId);
    const { order = "asc", limit = 100, after, before } = options;
    const [{ rows, hasMore }, totalCount] = await Promise.all([
      listRevisionRows(database.db, resourceId, { order, limit: clampLimit(limit, 1000), after, before }),
      countRevisions(database.db, resourceId),
    ]);
    const cursors = rows.map((row) => String(row.number));
    return {
      items: rows.map((row) => this.toResource(row)),
      cursors,
      hasMore,
      totalCount,
      nextCursor: hasMore ? (cursors.at(-1) ?? null) : null,
    };
  }

  /** The lines the job's handler logged, oldest first. */
  async getLogs(resourceId: string): Promise<JobLog[]> {
    const { database } = await this.runtime();
    if (!(await getResourceRow(database.db, this.key, resourceId)))
      throw new NotFoundError(this.name, resourceId);
    return getLogs(database.db, resourceId);
  }

  /**
   * Runs a finished (completed, failed or cancelled) job again: back to PENDING with
   * its retries, error and artifact reset and its payload kept. Anything else is a conflict.
   */
  rerun(resourceId: string, options: WriteOptions = {}): Promise<RevisionInfo> {
    return this.change(resourceId, options, async (row, unit, queue) => {
      const data = row.data;
      if (!isTerminal(data.status)) {
        throw new ConflictError(
          `cannot rerun ${resourceId}: it is ${data.status}; only finished jobs can be rerun`,
        );
      }
      await queue.enqueue(unit, {
        model: this.key,
        resourceId,
        attempt: row.attempt,
        priority: data.priority ?? 0,
      });
      return {
        ...data,
        status: TaskStatus.PENDING,
        retries: 0,
        errmsg: null,
        artifact: null,
        periodicRuns: 0,
        lastHeartbeatAt: null,
      };
    });
  }

  /** Cancels a pending or running job (a running handler's signal aborts). Finished jobs are a conflict. */
  async cancel(resourceId: string, options: WriteOptions = {}): Promise<RevisionInfo> {
    let was: TaskStatus | null = null;
    const info = await this.change(
      resourceId,
      options,
      async (row, unit, queue) => {
        const data = row.data;
        if (isTerminal(data.status)) {
          throw new ConflictError(`cannot cancel ${resourceId}: it is already ${data.status}`);
        }
        was = data.status;
        if (data.status === TaskStatus.PENDING)
          await queue.discard(unit, { model: this.key, resourceId, attempt: row.attempt });
        return { ...data, status: TaskStatus.CANCELLED, lastHeartbeatAt: null };
      },
      // A new token: the waiting queue entry and the running attempt (if any) are void.
      (row) => row.attempt + 1,
    );
    const { logger } = await this.runtime();
    logger.info({ resourceId, was, by: info.updatedBy }, "job cancelled");
    return info;
  }

  /**
   * Migrates every stored job of this model that is at an older schema version (see
   * `Schema.step`) now, rather than when each is next claimed: a revision by
   * `jobstar:migration` each, in transactions of 500 jobs. Running jobs are left for their
   * next claim; a pending job whose payload cannot be migrated is FAILED with the reason.
   * Resolves with the number of jobs migrated.
   */
  async migrate(): Promise<number> {
    const { database, queue } = await this.runtime();
    return migrateStoredJobs(database, queue, this.registered.schema);
  }

  /** Starts running this model's jobs in this process. */
  startConsume(options: ConsumeOptions = {}): Promise<void> {
    return this.consuming.start(options);
  }

  /**
   * Stops consuming and waits for the jobs in flight. Handlers still running after
   * `graceSeconds` (default 30) are aborted, and their jobs go back to PENDING without
   * spending a retry.
   */
  stopConsume(options: StopOptions = {}): Promise<void> {
    return this.consuming.stop(options);
  }

  private async change(
    resourceId: string,
    options: WriteOptions,
    next: (row: ResourceRow, unit: UnitOfWork, queue: Runtime["queue"]) => Promise<JobData>,
    attempt: (row: ResourceRow) => number = (row) => row.attempt,
  ): Promise<RevisionInfo> {
    const { database, queue } = await this.runtime();
    return inUnitOfWork(database.db, async (unit) => {
      const row = await lockResourceRow(unit.tx, this.key, resourceId);
      if (!row) throw new NotFoundError(this.name, resourceId);
      const data = await next(row, unit, queue);
      const { revision } = await appendRevision(unit.tx, row, this.name, {
        data,
        status: "stable",
        user: actor(options.user),
        now: new Date(),
        lease: { attempt: attempt(row), leasedBy: null },
      });
      // A cancel may free the partition or remove its next job; a rerun may make this job the next.
      if (row.partitionKey !== null) await enqueuePartitionHeads(unit, queue, this.key, [row.partitionKey]);
      return toRevisionInfo(revision);
    });
  }

  private found(revision: RevisionRow | undefined | null, resourceId: string): RevisionRow {
    if (!revision) throw new NotFoundError(`${this.name} revision of`, resourceId);
    return revision;
  }

  private toResource(revision: RevisionRow): Resource<JobOf<M>> {
    const { schema } = this.registered;
    return {
      info: toRevisionInfo(revision),
      // A payload stored at an older schema version is shown migrated.
      data: hydrate(schema.model as M, currentView(schema, revision.schemaVersion, revision.data)),
    };
  }
}

/** `limit`, if it is an integer from 1 to `max` (else a {@link ValidationError} naming `limit`). */
export function clampLimit(limit: number, max: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new ValidationError(
      [{ path: ["limit"], message: `must be an integer from 1 to ${max}` }],
      "invalid page",
    );
  }
  return limit;
}
