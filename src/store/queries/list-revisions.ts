import { and, asc, count, desc, eq, gt, lt } from "drizzle-orm";
import type { Db } from "../database.js";
import { revisions } from "../tables.js";
import type { RevisionRow } from "./rows.js";

/** A slice of a resource's revisions by number: `after`/`before` are revision numbers. */
export interface RevisionSlice {
  order: "asc" | "desc";
  limit: number;
  after?: number;
  before?: number;
}

/** A page of a resource's revisions, and whether more follow. */
export async function listRevisionRows(
  db: Db,
  resourceId: string,
  slice: RevisionSlice,
): Promise<{ rows: RevisionRow[]; hasMore: boolean }> {
  const forward = slice.order === "asc";
  const conditions = [eq(revisions.resourceId, resourceId)];
  if (slice.after !== undefined) conditions.push((forward ? gt : lt)(revisions.number, slice.after));
  if (slice.before !== undefined) conditions.push((forward ? lt : gt)(revisions.number, slice.before));
  const rows = await db
    .select()
    .from(revisions)
    .where(and(...conditions))
    .orderBy((forward ? asc : desc)(revisions.number))
    .limit(slice.limit + 1);
  return { rows: rows.slice(0, slice.limit), hasMore: rows.length > slice.limit };
}

/** How many revisions a resource has. */
export async function countRevisions(db: Db, resourceId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(revisions).where(eq(revisions.resourceId, resourceId));
  return row?.n ?? 0;
}
