/**
 * Jobs of every model in one list ("all failed jobs"): the per-model list's filters,
 * order and keyset paging over several models, with each model's policy applied.
 */
import { ModelNotRegisteredError } from "../errors.js";
import { hydrate } from "../model/job.js";
import { currentView } from "../model/migration.js";
import type { AuthorizationPolicy, Principal } from "../model/policy.js";
import type { RegisteredModel } from "../model/registration.js";
import type { Db } from "../store/database.js";
import { getRevisionRows } from "../store/queries/get-resource.js";
import {
  countResources,
  encodeCursor,
  listResourceRows,
  type ModelScope,
  type ResourceFilter,
} from "../store/queries/list-resources.js";
import { toRevisionInfo } from "../store/queries/rows.js";
import { checkText, defaultPolicy } from "./authorize.js";
import { clampLimit, type ListOptions } from "./manager.js";
import type { Page, Resource } from "./types.js";

/** Which jobs of which models to list; the filters of {@link ListOptions} except `payload`. */
export interface ListJobsOptions extends Omit<ListOptions, "payload"> {
  /** Only these models (classes or names). Default: every registered model. */
  models?: (string | { name: string })[];
  /**
   * List as this principal: a model whose policy refuses `list` is left out, and of a
   * model whose policy does not let it read every job, only its own jobs are listed.
   * Default: none (trusted code; every job).
   */
  principal?: Principal | null;
}

/** A page of jobs of several models, newest first by default, under each model's policy. */
export async function listJobs(
  db: Db,
  registered: readonly RegisteredModel[],
  options: ListJobsOptions = {},
): Promise<Page<Resource>> {
  const {
    sortBy = "createdTime",
    order = "desc",
    limit = 50,
    after,
    before,
    models,
    principal,
    ...filter
  } = options;
  checkText(filter.createdBy, "createdBy");
  checkText(filter.partitionKey, "partitionKey");
  checkText(after, "after");
  checkText(before, "before");
  // Payload fields differ by model: a payload filter belongs to one model's list.
  delete (filter as ResourceFilter).payload;
  const wanted = models?.map((m) => (typeof m === "string" ? m : m.name));
  const unknown = wanted?.find((w) => !registered.some((m) => m.schema.name === w || m.schema.key === w));
  if (unknown !== undefined) throw new ModelNotRegisteredError(unknown);
  const chosen = registered.filter(
    (m) => !wanted || wanted.includes(m.schema.name) || wanted.includes(m.schema.key),
  );
  const scope = scopeFor(chosen, principal ?? null, filter);
  const slice = { sortBy, order, limit: clampLimit(limit, 1000), after, before };
  if (scope.models.length === 0 && (scope.ownModels ?? []).length === 0) {
    return { items: [], cursors: [], hasMore: false, nextCursor: null, totalCount: 0 };
  }
  const [{ rows, hasMore }, totalCount] = await Promise.all([
    listResourceRows(db, scope, filter, slice),
    countResources(db, scope, filter),
  ]);
  const revisions = new Map(
    (
      await getRevisionRows(
        db,
        rows.map((row) => row.currentRevisionId),
      )
    ).map((r) => [r.revisionId, r]),
  );
  const byKey = new Map(chosen.map((m) => [m.schema.key, m]));
  const items: Resource[] = [];
  const cursors: string[] = [];
  for (const row of rows) {
    const revision = revisions.get(row.currentRevisionId);
    const model = byKey.get(row.model);
    if (!revision || !model) continue;
    // A policy may still refuse one of the principal's own jobs: it is left out of the page.
    if (
      principal &&
      !policyOf(model)(principal, "read", {
        resourceId: row.resourceId,
        model: model.schema.name,
        owner: row.createdBy,
      })
    )
      continue;
    const data = currentView(model.schema, revision.schemaVersion, revision.data);
    items.push({ info: toRevisionInfo(revision), data: hydrate(model.schema.model, data) });
    cursors.push(encodeCursor(row, sortBy));
  }
  const lastCursor =
    rows.length > 0 ? encodeCursor(rows[rows.length - 1] as (typeof rows)[number], sortBy) : null;
  return { items, cursors, hasMore, totalCount, nextCursor: hasMore ? lastCursor : null };
}

function policyOf(model: RegisteredModel): AuthorizationPolicy {
  return model.authorize ?? defaultPolicy;
}

/** Which models the principal sees whole, and of which only its own jobs. */
function scopeFor(
  models: RegisteredModel[],
  principal: Principal | null,
  filter: ResourceFilter,
): ModelScope {
  if (!principal) return { models: models.map((m) => m.schema.key) };
  const all: string[] = [];
  const own: string[] = [];
  for (const model of models) {
    const policy = policyOf(model);
    if (!policy(principal, "list")) continue;
    if (policy(principal, "read")) all.push(model.schema.key);
    // Asking for another user's jobs finds none of a model the principal reads only its own of.
    else if (filter.createdBy === undefined || filter.createdBy === principal.user)
      own.push(model.schema.key);
  }
  return { models: all, ownModels: own, owner: principal.user };
}
