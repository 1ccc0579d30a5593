import { eq, sql } from "drizzle-orm";
import type { JobData } from "../../model/job.js";
import type { RevisionStatus } from "../../resource/types.js";
import { dataHash } from "../canonical-json.js";
import type { Tx } from "../database.js";
import { resources, revisions } from "../tables.js";
import { notifyJobEvent } from "./notify.js";
import { type ResourceRow, type RevisionRow, revisionIdOf } from "./rows.js";

/** A new revision of a resource. */
export interface RevisionWrite {
  data: JobData;
  status: RevisionStatus;
  /** Who made the change. */
  user: string;
  /** On whose behalf, when not `user` (a worker runs a job on behalf of its creator). */
  onBehalfOf?: string;
  now: Date;
  /**
   * The attempt token and lease after the change. Default: the token unchanged, and
   * no lease (the job is not running).
   */
  lease?: { attempt: number; leasedBy: string | null };
  /** When the job is due, for a PENDING job that waits; default null (now, or not pending). */
  runAt?: Date | null;
}

/**
 * Appends a revision to `current` (a row locked `for update` in `tx`), makes it the
 * current one, and NOTIFYs: the one way a job's state changes.
 */
export async function appendRevision(
  tx: Tx,
  current: ResourceRow,
  modelName: string,
  write: RevisionWrite,
): Promise<{ resource: ResourceRow; revision: RevisionRow }> {
  const number = current.totalRevisionCount + 1;
  const revisionId = revisionIdOf(current.resourceId, number);
  const [revision] = await tx
    .insert(revisions)
    .values({
      revisionId,
      resourceId: current.resourceId,
      number,
      parentRevisionId: current.currentRevisionId,
      schemaVersion: current.schemaVersion,
      data: write.data,
      dataHash: dataHash(write.data),
      status: write.status,
      createdTime: write.now,
      createdBy: write.onBehalfOf ?? write.user,
      updatedTime: write.now,
      updatedBy: write.user,
    })
    .returning();
  const [resource] = await tx
    .update(resources)
    .set({
      currentRevisionId: revisionId,
      totalRevisionCount: number,
      data: write.data,
      status: write.data.status,
      retries: write.data.retries,
      // The database's clock, as every staleness check compares against it.
      lastHeartbeatAt: write.data.status === "processing" ? sql`now()` : null,
      attempt: write.lease?.attempt ?? current.attempt,
      leasedBy: write.lease?.leasedBy ?? null,
      runAt: write.runAt ?? null,
      updatedTime: write.now,
      updatedBy: write.user,
    })
    .where(eq(resources.resourceId, current.resourceId))
    .returning();
  if (!revision || !resource) throw new Error(`resource vanished while writing: ${current.resourceId}`);
  await notifyJobEvent(tx, {
    model: modelName,
    resourceId: resource.resourceId,
    revisionId,
    status: write.data.status,
  });
  return { resource, revision };
}
