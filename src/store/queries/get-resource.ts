import { and, eq, inArray } from "drizzle-orm";
import type { Db, Tx } from "../database.js";
import { resources, revisions } from "../tables.js";
import type { ResourceRow, RevisionRow } from "./rows.js";

/** The resource row of `resourceId` of `model`, or null. */
export async function getResourceRow(
  db: Db | Tx,
  model: string,
  resourceId: string,
): Promise<ResourceRow | null> {
  const [row] = await db
    .select()
    .from(resources)
    .where(and(eq(resources.resourceId, resourceId), eq(resources.model, model)));
  return row ?? null;
}

/** The resource row, locked `for update` until `tx` ends; null if there is none. */
export async function lockResourceRow(
  tx: Tx,
  model: string,
  resourceId: string,
): Promise<ResourceRow | null> {
  const [row] = await tx
    .select()
    .from(resources)
    .where(and(eq(resources.resourceId, resourceId), eq(resources.model, model)))
    .for("update");
  return row ?? null;
}

/** One revision of a resource, or null. */
export async function getRevisionRow(
  db: Db | Tx,
  resourceId: string,
  revisionId: string,
): Promise<RevisionRow | null> {
  const [row] = await db
    .select()
    .from(revisions)
    .where(and(eq(revisions.resourceId, resourceId), eq(revisions.revisionId, revisionId)));
  return row ?? null;
}

/** The revisions with the given ids, in no particular order. */
export async function getRevisionRows(db: Db | Tx, revisionIds: string[]): Promise<RevisionRow[]> {
  if (revisionIds.length === 0) return [];
  return db.select().from(revisions).where(inArray(revisions.revisionId, revisionIds));
}
