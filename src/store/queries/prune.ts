/** Deleting finished jobs past their retention, one bounded batch per statement. */
import { sql } from "drizzle-orm";
import type { Db } from "../database.js";

/**
 * Deletes up to `limit` jobs of `model` that finished (completed, failed, cancelled) and
 * have not changed since `before`; their revisions and log lines go with them (foreign keys
 * `on delete cascade`). Rows another process is deleting right now are skipped (`skip
 * locked`), so several processes may prune at once. Returns how many jobs were deleted.
 */
export async function pruneFinished(db: Db, model: string, before: Date, limit: number): Promise<number> {
  const deleted = await db.execute<{ resource_id: string }>(sql`
    delete from jobstar.resources
    where resource_id in (
      select resource_id from jobstar.resources
      where model = ${model}
        and status in ('completed', 'failed', 'cancelled')
        and updated_time < ${before.toISOString()}::timestamptz
      limit ${limit}
      for update skip locked
    )
    returning resource_id`);
  return deleted.length;
}
