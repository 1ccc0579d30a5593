import { and, asc, count, desc, eq, gte, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import { ValidationError } from "../../errors.js";
import type { PayloadFilter } from "../../model/payload-fields.js";
import type { TaskStatus } from "../../model/task-status.js";
import type { Db } from "../database.js";
import { resources } from "../tables.js";
import { payloadConditions } from "./payload-filter.js";
import type { ResourceRow } from "./rows.js";

/** Which jobs of a model to list. Time bounds are inclusive after, exclusive before. */
export interface ResourceFilter {
  status?: TaskStatus[];
  createdBy?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  updatedAfter?: Date;
  updatedBefore?: Date;
  partitionKey?: string;
  /** Conditions on payload fields (see {@link payloadConditions}), all of which must hold. */
  payload?: PayloadFilter;
}

/** Which models a list reads: all jobs of `models`, and of `ownModels` only `owner`'s. */
export interface ModelScope {
  models: string[];
  ownModels?: string[];
  owner?: string;
}

/** The fields a list can be sorted by; ties are broken by resource id. */
export type SortField = "createdTime" | "updatedTime";

/** A keyset-paginated slice of a sorted, filtered list. */
export interface ListSlice {
  sortBy: SortField;
  order: "asc" | "desc";
  limit: number;
  /** Only rows after this cursor (in `order`). */
  after?: string;
  /** Only rows before this cursor (in `order`). */
  before?: string;
}

/** An opaque cursor: the row's sort value and id. */
export function encodeCursor(row: ResourceRow, sortBy: SortField): string {
  return Buffer.from(JSON.stringify([row[sortBy].toISOString(), row.resourceId])).toString("base64url");
}

function decodeCursor(cursor: string, field: string): [Date, string] {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof time === "string" && typeof id === "string" && !Number.isNaN(Date.parse(time))) {
      // A forged cursor: a time PostgreSQL cannot store, or an id it cannot take (NUL).
      const year = new Date(time).getUTCFullYear();
      if (year >= 1 && year <= 9999 && !id.includes("\u0000")) return [new Date(time), id];
    }
  } catch {
    // reported below
  }
  throw new ValidationError([{ path: [field], message: "is not a cursor of this list" }], "invalid page");
}

function scopeCondition(scope: string | ModelScope): SQL {
  if (typeof scope === "string") return eq(resources.model, scope);
  const all = scope.models.length > 0 ? inArray(resources.model, scope.models) : undefined;
  const own =
    scope.ownModels && scope.ownModels.length > 0 && scope.owner !== undefined
      ? and(inArray(resources.model, scope.ownModels), eq(resources.createdBy, scope.owner))
      : undefined;
  return or(all, own) ?? sql`false`;
}

function filterConditions(scope: string | ModelScope, filter: ResourceFilter): SQL[] {
  const conditions: SQL[] = [scopeCondition(scope), eq(resources.isDeleted, false)];
  if (filter.status && filter.status.length > 0) conditions.push(inArray(resources.status, filter.status));
  if (filter.createdBy !== undefined) conditions.push(eq(resources.createdBy, filter.createdBy));
  if (filter.createdAfter) conditions.push(gte(resources.createdTime, filter.createdAfter));
  if (filter.createdBefore) conditions.push(lt(resources.createdTime, filter.createdBefore));
  if (filter.updatedAfter) conditions.push(gte(resources.updatedTime, filter.updatedAfter));
  if (filter.updatedBefore) conditions.push(lt(resources.updatedTime, filter.updatedBefore));
  if (filter.partitionKey !== undefined) conditions.push(eq(resources.partitionKey, filter.partitionKey));
  if (filter.payload)
    conditions.push(...payloadConditions(sql`${resources.data}->'payload'`, filter.payload));
  return conditions;
}

/** One page of rows (`limit` at most) and whether more follow in the page's direction. */
export async function listResourceRows(
  db: Db,
  model: string | ModelScope,
  filter: ResourceFilter,
  slice: ListSlice,
): Promise<{ rows: ResourceRow[]; hasMore: boolean }> {
  const column = resources[slice.sortBy];
  const conditions = filterConditions(model, filter);
  const forward = slice.order === "asc";
  if (slice.after) {
    const [time, id] = decodeCursor(slice.after, "after");
    conditions.push(
      forward
        ? sql`(${column}, ${resources.resourceId}) > (${time.toISOString()}::timestamptz, ${id})`
        : sql`(${column}, ${resources.resourceId}) < (${time.toISOString()}::timestamptz, ${id})`,
    );
  }
  if (slice.before) {
    const [time, id] = decodeCursor(slice.before, "before");
    conditions.push(
      forward
        ? sql`(${column}, ${resources.resourceId}) < (${time.toISOString()}::timestamptz, ${id})`
        : sql`(${column}, ${resources.resourceId}) > (${time.toISOString()}::timestamptz, ${id})`,
    );
  }
  const direction = forward ? asc : desc;
  const rows = await db
    .select()
    .from(resources)
    .where(and(...conditions))
    .orderBy(direction(column), direction(resources.resourceId))
    .limit(slice.limit + 1);
  return { rows: rows.slice(0, slice.limit), hasMore: rows.length > slice.limit };
}

/** How many rows match `filter`. */
export async function countResources(
  db: Db,
  model: string | ModelScope,
  filter: ResourceFilter,
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(resources)
    .where(and(...filterConditions(model, filter)));
  return row?.n ?? 0;
}
