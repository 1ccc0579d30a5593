import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../database.js";
import { resources, revisions } from "../tables.js";

/**
 * Touches the running (draft) revision in place with a new `lastHeartbeatAt`.
 * Returns false when the revision is no longer current (the job was cancelled or recovered).
 */
export async function touchHeartbeat(
  db: Db,
  resourceId: string,
  revisionId: string,
  now: Date,
): Promise<boolean> {
  const at = JSON.stringify(now.toISOString());
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(resources)
      .set({
        lastHeartbeatAt: now,
        data: sql`jsonb_set(${resources.data}, '{lastHeartbeatAt}', ${at}::jsonb)`,
      })
      .where(
        and(
          eq(resources.resourceId, resourceId),
          eq(resources.currentRevisionId, revisionId),
          eq(resources.status, "processing"),
        ),
      )
      .returning({ id: resources.resourceId });
    if (updated.length === 0) return false;
    await tx
      .update(revisions)
      .set({ data: sql`jsonb_set(${revisions.data}, '{lastHeartbeatAt}', ${at}::jsonb)`, updatedTime: now })
      .where(eq(revisions.revisionId, revisionId));
    return true;
  });
}
