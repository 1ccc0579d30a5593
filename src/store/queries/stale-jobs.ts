import { and, eq, inArray, lt } from "drizzle-orm";
import type { Db } from "../database.js";
import { resources } from "../tables.js";

/** Ids of PROCESSING jobs of `models` whose last heartbeat is older than `before`. */
export async function findStaleJobs(db: Db, models: string[], before: Date, limit = 100): Promise<string[]> {
  const rows = await db
    .select({ resourceId: resources.resourceId })
    .from(resources)
    .where(
      and(
        eq(resources.status, "processing"),
        inArray(resources.model, models),
        lt(resources.lastHeartbeatAt, before),
      ),
    )
    .limit(limit);
  return rows.map((row) => row.resourceId);
}

/** Ids of PENDING jobs of `models`, oldest first: what an in-process queue picks up at start. */
export async function findPendingJobs(
  db: Db,
  models: string[],
  limit = 1000,
): Promise<{ resourceId: string; model: string }[]> {
  return db
    .select({ resourceId: resources.resourceId, model: resources.model })
    .from(resources)
    .where(and(eq(resources.status, "pending"), inArray(resources.model, models)))
    .orderBy(resources.createdTime)
    .limit(limit);
}
