import type postgres from "postgres";
import type { JobData } from "../../model/job.js";
import type { RevisionRow } from "./rows.js";

/**
 * One revision of a job of `model` (its current one when `revisionId` is null), or null
 * when there is no such job or revision. One prepared statement: what every read of a
 * job (the API, subscriptions, submits) costs is one round trip.
 */
export async function readRevision(
  sql: postgres.Sql,
  model: string,
  resourceId: string,
  revisionId: string | null,
): Promise<RevisionRow | null> {
  const [row] = await sql<
    {
      revision_id: string;
      number: number;
      parent_revision_id: string | null;
      schema_version: string;
      data: JobData;
      data_hash: string;
      status: "draft" | "stable";
      created_time: string | Date;
      created_by: string;
      updated_time: string | Date;
      updated_by: string;
    }[]
  >`
    select v.revision_id, v.number, v.parent_revision_id, v.schema_version, v.data, v.data_hash, v.status,
      v.created_time, v.created_by, v.updated_time, v.updated_by
    from jobstar.resources as r
    join jobstar.revisions as v
      on v.resource_id = r.resource_id and v.revision_id = coalesce(${revisionId}::text, r.current_revision_id)
    where r.resource_id = ${resourceId} and r.model = ${model}`;
  if (!row) return null;
  return {
    revisionId: row.revision_id,
    resourceId,
    number: row.number,
    parentRevisionId: row.parent_revision_id,
    schemaVersion: row.schema_version,
    data: row.data,
    dataHash: row.data_hash,
    status: row.status,
    // Drizzle's driver hands timestamps over as text on this connection.
    createdTime: new Date(row.created_time),
    createdBy: row.created_by,
    updatedTime: new Date(row.updated_time),
    updatedBy: row.updated_by,
  };
}
