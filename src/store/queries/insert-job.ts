import { and, eq, sql } from "drizzle-orm";
import type { JobData } from "../../model/job.js";
import { dataHash } from "../canonical-json.js";
import type { Tx } from "../database.js";
import { resources, revisions } from "../tables.js";
import { notifyJobEvent } from "./notify.js";
import { type ResourceRow, type RevisionRow, revisionIdOf } from "./rows.js";

/** A new job resource. */
export interface JobInsert {
  resourceId: string;
  /** The model's key (`training-job`), stored in `resources.model`. */
  model: string;
  /** The model's name (`TrainingJob`), carried by the event. */
  modelName: string;
  schemaVersion: string;
  data: JobData;
  user: string;
  now: Date;
}

/**
 * Inserts a job's resource row and first (stable) revision and NOTIFYs. When another
 * job of the model already holds the idempotency key, writes nothing and returns
 * that job's row with `created: false`.
 */
export async function insertJob(
  tx: Tx,
  job: JobInsert,
): Promise<
  { created: true; resource: ResourceRow; revision: RevisionRow } | { created: false; resource: ResourceRow }
> {
  const revisionId = revisionIdOf(job.resourceId, 1);
  const [resource] = await tx
    .insert(resources)
    .values({
      resourceId: job.resourceId,
      model: job.model,
      currentRevisionId: revisionId,
      totalRevisionCount: 1,
      schemaVersion: job.schemaVersion,
      data: job.data,
      status: job.data.status,
      retries: job.data.retries,
      partitionKey: job.data.partitionKey,
      idempotencyKey: job.data.idempotencyKey,
      createdTime: job.now,
      createdBy: job.user,
      updatedTime: job.now,
      updatedBy: job.user,
    })
    .onConflictDoNothing({
      target: [resources.model, resources.idempotencyKey],
      where: sql`${resources.idempotencyKey} is not null`,
    })
    .returning();
  if (!resource) {
    const key = job.data.idempotencyKey ?? "";
    const [existing] = await tx
      .select()
      .from(resources)
      .where(and(eq(resources.model, job.model), eq(resources.idempotencyKey, key)));
    if (!existing) throw new Error(`idempotency conflict without a holder: ${job.model} ${key}`);
    return { created: false, resource: existing };
  }
  const [revision] = await tx
    .insert(revisions)
    .values({
      revisionId,
      resourceId: job.resourceId,
      number: 1,
      parentRevisionId: null,
      schemaVersion: job.schemaVersion,
      data: job.data,
      dataHash: dataHash(job.data),
      status: "stable",
      createdTime: job.now,
      createdBy: job.user,
      updatedTime: job.now,
      updatedBy: job.user,
    })
    .returning();
  if (!revision) throw new Error(`revision insert returned nothing: ${revisionId}`);
  await notifyJobEvent(tx, {
    model: job.modelName,
    resourceId: job.resourceId,
    revisionId,
    status: job.data.status,
  });
  return { created: true, resource, revision };
}
