import type postgres from "postgres";
import type { JobData } from "../../model/job.js";
import type { TaskStatus } from "../../model/task-status.js";

/** What a claim reads of a job before it writes. */
export interface ClaimableRow {
  resourceId: string;
  currentRevisionId: string;
  number: number;
  schemaVersion: string;
  data: JobData;
  status: TaskStatus;
  attempt: number;
  leasedBy: string | null;
  isDeleted: boolean;
  createdBy: string;
}

/**
 * The jobs of `model` among `resourceIds`, as a claim needs them (missing ones are
 * left out). One statement, no lock: the write's guard decides.
 */
export async function readClaimable(
  sql: postgres.Sql,
  model: string,
  resourceIds: string[],
): Promise<Map<string, ClaimableRow>> {
  const rows = await sql<(ClaimableRecord & { model: string })[]>`
    select resource_id, model, current_revision_id, total_revision_count, schema_version, data, status, attempt,
      leased_by, is_deleted, created_by
    from jobstar.resources where resource_id = any(${resourceIds}::text[])`;
  // The model is checked here rather than in the query: by the key alone the planner always
  // takes the primary key, even before the table has statistics.
  return new Map(
    rows.filter((row) => row.model === model).map((row) => [row.resource_id, toClaimableRow(row)]),
  );
}

/** The columns of a {@link ClaimableRow} as the database answers them. */
export interface ClaimableRecord {
  resource_id: string;
  current_revision_id: string;
  total_revision_count: number;
  schema_version: string;
  data: JobData;
  status: TaskStatus;
  attempt: number;
  leased_by: string | null;
  is_deleted: boolean;
  created_by: string;
}

/** A {@link ClaimableRecord} in the shape the run loop uses. */
export function toClaimableRow(row: ClaimableRecord): ClaimableRow {
  return {
    resourceId: row.resource_id,
    currentRevisionId: row.current_revision_id,
    number: row.total_revision_count,
    schemaVersion: row.schema_version,
    data: row.data,
    status: row.status,
    attempt: row.attempt,
    leasedBy: row.leased_by,
    isDeleted: row.is_deleted,
    createdBy: row.created_by,
  };
}
