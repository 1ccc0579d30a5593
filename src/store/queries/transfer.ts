/**
 * Reads and writes of export and import: whole jobs (resource row, every revision, every
 * log line), a bounded batch at a time.
 */
import { and, asc, gt, inArray } from "drizzle-orm";
import type { Db, Tx } from "../database.js";
import { jobLogs, resources, revisions } from "../tables.js";
import type { ResourceRow, RevisionRow } from "./rows.js";

/** A `job_logs` row without its id (ids are the importing database's own). */
export type LogRow = Omit<typeof jobLogs.$inferSelect, "id">;

/** Rows per INSERT: far below PostgreSQL's 65,535 parameters for any of the three tables. */
const ROWS_PER_INSERT = 1000;

/** Up to `limit` resources of `models` after `afterId`, by resource id (keyset pagination). */
export function readResourceBatch(
  db: Db | Tx,
  models: string[],
  afterId: string | null,
  limit: number,
): Promise<ResourceRow[]> {
  const conditions = [inArray(resources.model, models)];
  if (afterId !== null) conditions.push(gt(resources.resourceId, afterId));
  return db
    .select()
    .from(resources)
    .where(and(...conditions))
    .orderBy(asc(resources.resourceId))
    .limit(limit);
}

/** Every revision of `resourceIds`, by resource then number. */
export function readRevisionsOf(db: Db | Tx, resourceIds: string[]): Promise<RevisionRow[]> {
  if (resourceIds.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(revisions)
    .where(inArray(revisions.resourceId, resourceIds))
    .orderBy(asc(revisions.resourceId), asc(revisions.number));
}

/** Every log line of `resourceIds`, by resource then the order they were written in. */
export function readLogsOf(db: Db | Tx, resourceIds: string[]): Promise<LogRow[]> {
  if (resourceIds.length === 0) return Promise.resolve([]);
  return db
    .select({
      resourceId: jobLogs.resourceId,
      run: jobLogs.run,
      time: jobLogs.time,
      level: jobLogs.level,
      message: jobLogs.message,
    })
    .from(jobLogs)
    .where(inArray(jobLogs.resourceId, resourceIds))
    .orderBy(asc(jobLogs.resourceId), asc(jobLogs.id));
}

/**
 * Inserts the resources that are not there yet (by id, or by a model's idempotency key)
 * and returns the ids of those inserted: the others are left exactly as they are.
 */
export async function insertMissingResources(tx: Tx, rows: Omit<ResourceRow, "seq">[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const done = await tx
      .insert(resources)
      .values(chunk)
      .onConflictDoNothing()
      .returning({ resourceId: resources.resourceId });
    for (const row of done) inserted.add(row.resourceId);
  }
  return inserted;
}

/** Inserts revisions (of resources just inserted), in chunks. */
export async function insertRevisions(tx: Tx, rows: RevisionRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await tx
      .insert(revisions)
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .onConflictDoNothing();
  }
}

/** Inserts log lines (of resources just inserted) in their given order, in chunks. */
export async function insertLogs(tx: Tx, rows: LogRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await tx.insert(jobLogs).values(rows.slice(i, i + ROWS_PER_INSERT));
  }
}

/** Runs `work` in one read-only REPEATABLE READ transaction: every batch sees one snapshot. */
export function inSnapshot<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(work, { isolationLevel: "repeatable read", accessMode: "read only" });
}
