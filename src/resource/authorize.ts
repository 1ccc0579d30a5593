/**
 * Authorization of job operations, shared by every edge (GraphQL, REST, a web UI): a
 * {@link JobAccess} is one model's jobs as one principal may see and change them.
 */
import { ForbiddenError, ValidationError } from "../errors.js";
import type { JobInitOf, JobModel, JobOf } from "../model/job.js";
import type { Action, AuthorizationPolicy, JobRef, Principal } from "../model/policy.js";
import { actor } from "./actor.js";
import type { ListOptions, ResourceManager, RevisionListOptions, SubmitOptions } from "./manager.js";
import type { JobLog, Page, Resource, ResourceMeta, RevisionInfo } from "./types.js";

export type { Action, AuthorizationPolicy, JobRef, Principal } from "../model/policy.js";
export { ACTIONS } from "../model/policy.js";

/** The role that may do everything. */
export const ADMIN_ROLE = "admin";
/** The role that may read and subscribe to every job. */
export const VIEWER_ROLE = "viewer";

/**
 * The default policy: anyone authenticated may submit and list; a user may read,
 * subscribe to, cancel and rerun their own jobs; `admin` may do everything; `viewer`
 * may read and subscribe to every job.
 */
export const defaultPolicy: AuthorizationPolicy = (principal, action, job) => {
  if (principal.roles.includes(ADMIN_ROLE)) return true;
  if (action === "submit" || action === "list") return true;
  if (principal.roles.includes(VIEWER_ROLE) && (action === "read" || action === "subscribe")) return true;
  return job !== undefined && job.owner === principal.user;
};

/** Longest id, key or filter string accepted; longer ones are no job's. */
const MAX_TEXT_LENGTH = 1000;

/**
 * Rejects a string PostgreSQL cannot take (a NUL character) or that no job can have
 * (over 1000 characters), naming `field`: the caller's error, not an internal one.
 */
export function checkText(value: string | undefined | null, field: string): void {
  if (value === undefined || value === null) return;
  if (value.includes("\u0000")) {
    throw new ValidationError(
      [{ path: [field], message: "must not contain the NUL character (U+0000)" }],
      "invalid input",
    );
  }
  if (value.length > MAX_TEXT_LENGTH) {
    throw new ValidationError(
      [{ path: [field], message: `must be at most ${MAX_TEXT_LENGTH} characters` }],
      "invalid input",
    );
  }
}

/** Owners never change, so they are remembered (per manager, for the most recent jobs). */
const OWNERS_REMEMBERED = 10_000;
const owners = new WeakMap<ResourceManager<JobModel>, Map<string, string>>();

/**
 * One model's jobs as `principal` may see and change them. Every method checks the
 * model's policy first and throws {@link ForbiddenError} (having written nothing) when
 * it refuses; writes are recorded as the principal's. Lists show only what the
 * principal may read. Without a principal (trusted, in-process code) nothing is
 * checked and writes are recorded as `user`.
 */
export class JobAccess<M extends JobModel = JobModel> {
  /** Who the writes are recorded as. */
  readonly user: string;

  constructor(
    private readonly manager: ResourceManager<M>,
    private readonly policy: AuthorizationPolicy,
    readonly principal: Principal | null,
    user?: string,
  ) {
    this.user = principal?.user ?? actor(user);
  }

  /** Whether the principal may do `action` to `job` (to every job when none is given). */
  allows(action: Action, job?: JobRef): boolean {
    return this.principal === null || this.policy(this.principal, action, job);
  }

  /** Whether the principal may do `action` to the job `resourceId` (which must exist). */
  async may(action: Action, resourceId: string): Promise<boolean> {
    // A policy that allows the action on every job needs no owner (and no query).
    if (this.principal === null || this.allows(action)) return true;
    return this.policy(this.principal, action, await this.ref(resourceId));
  }

  /** Validates and submits a new job as the principal. */
  async create(job: JobOf<M> | JobInitOf<M>): Promise<RevisionInfo> {
    return (await this.submit(job)).info;
  }

  /** Validates and submits many new jobs as the principal, in one transaction (see `createMany`). */
  async createMany(jobs: ReadonlyArray<JobOf<M> | JobInitOf<M>>): Promise<RevisionInfo[]> {
    return (await this.submitMany(jobs)).map((job) => job.info);
  }

  /** {@link create}, answering the job as stored. */
  async submit(job: JobOf<M> | JobInitOf<M>): Promise<Resource<JobOf<M>>> {
    this.require("submit");
    return (await this.manager.submitOne(job, this.submitOptions())).resource;
  }

  /** {@link createMany}, answering the jobs as stored. */
  async submitMany(jobs: ReadonlyArray<JobOf<M> | JobInitOf<M>>): Promise<Resource<JobOf<M>>[]> {
    this.require("submit");
    const submitted = await this.manager.submitMany(jobs, this.submitOptions());
    return submitted.map((job) => job.resource);
  }

  /** An idempotency key that names a job the principal may not read fails the submit, with nothing written. */
  private submitOptions(): SubmitOptions {
    return {
      user: this.user,
      vetExisting: async (resourceId) => {
        if (!(await this.may("read", resourceId))) throw new ForbiddenError("read", resourceId);
      },
    };
  }

  /** Migrates the model's stored jobs to its schema version ({@link ResourceManager.migrate}): `admin` only. */
  async migrate(): Promise<number> {
    if (this.principal && !this.principal.roles.includes(ADMIN_ROLE))
      throw new ForbiddenError("migrate", `${this.manager.name} jobs`);
    return this.manager.migrate();
  }

  /** The job's current revision, or the revision `revisionId`. */
  async get(resourceId: string, options: { revisionId?: string } = {}): Promise<Resource<JobOf<M>>> {
    checkText(options.revisionId, "revisionId");
    await this.check("read", resourceId);
    return this.manager.get(resourceId, options);
  }

  /** The job's resource-level metadata. */
  async getMeta(resourceId: string): Promise<ResourceMeta> {
    await this.check("read", resourceId);
    return this.manager.getMeta(resourceId);
  }

  /** A page of the revisions of a job. */
  async listRevisions(
    resourceId: string,
    options: RevisionListOptions = {},
  ): Promise<Page<Resource<JobOf<M>>>> {
    await this.check("read", resourceId);
    return this.manager.listRevisions(resourceId, options);
  }

  /** The lines the job's handler logged. */
  async getLogs(resourceId: string): Promise<JobLog[]> {
    await this.check("read", resourceId);
    return this.manager.getLogs(resourceId);
  }

  /**
   * A page of the jobs the principal may read: every job if the policy lets it read
   * them all, else only its own (a `createdBy` filter naming another user finds none).
   */
  async list(options: ListOptions = {}): Promise<Page<Resource<JobOf<M>>>> {
    checkText(options.createdBy, "createdBy");
    checkText(options.partitionKey, "partitionKey");
    checkText(options.after, "after");
    checkText(options.before, "before");
    this.require("list");
    if (this.allows("read")) return this.manager.list(options);
    const user = this.user;
    if (options.createdBy !== undefined && options.createdBy !== user) {
      return { items: [], cursors: [], hasMore: false, nextCursor: null, totalCount: 0 };
    }
    const page = await this.manager.list({ ...options, createdBy: user });
    const own: JobRef = { resourceId: "", model: this.manager.name, owner: user };
    const keep = page.items.map((item) => this.allows("read", { ...own, resourceId: item.info.resourceId }));
    return {
      ...page,
      items: page.items.filter((_, i) => keep[i]),
      cursors: page.cursors.filter((_, i) => keep[i]),
    };
  }

  /** Runs a finished job again, as the principal. */
  async rerun(resourceId: string): Promise<RevisionInfo> {
    await this.check("rerun", resourceId);
    return this.manager.rerun(resourceId, { user: this.user });
  }

  /** Cancels a pending or running job, as the principal. */
  async cancel(resourceId: string): Promise<RevisionInfo> {
    await this.check("cancel", resourceId);
    return this.manager.cancel(resourceId, { user: this.user });
  }

  /** Throws {@link ForbiddenError} unless the principal may `action` the job (NOT_FOUND if there is none). */
  async check(action: Action, resourceId: string): Promise<void> {
    checkText(resourceId, "id");
    if (!(await this.may(action, resourceId))) throw new ForbiddenError(action, resourceId);
  }

  private require(action: Action): void {
    if (!this.allows(action)) throw new ForbiddenError(action, `${this.manager.name} jobs`);
  }

  /** The job as a policy sees it; its owner is read once and remembered. */
  private async ref(resourceId: string): Promise<JobRef> {
    const manager = this.manager as unknown as ResourceManager<JobModel>;
    let known = owners.get(manager);
    if (!known) {
      known = new Map();
      owners.set(manager, known);
    }
    let owner = known.get(resourceId);
    if (owner === undefined) {
      owner = (await this.manager.getMeta(resourceId)).createdBy;
      known.set(resourceId, owner);
      if (known.size > OWNERS_REMEMBERED) {
        const oldest = known.keys().next();
        if (!oldest.done) known.delete(oldest.value);
      }
    }
    return { resourceId, model: this.manager.name, owner };
  }
}
