import type postgres from "postgres";
import { type ClaimableRecord, type ClaimableRow, toClaimableRow } from "./read-claimable.js";

/** A job stored at another schema version, and when it is due (for a PENDING one). */
export interface OutdatedRow extends ClaimableRow {
  runAt: Date | null;
}

/**
 * Up to `limit` jobs of `model` not at schema version `version` and not running, with ids
 * after `after` in id order (keyset paging: a job that stays outdated is not read twice).
 */
export async function findOutdatedJobs(
  sql: postgres.Sql,
  model: string,
  version: string,
  after: string,
  limit: number,
): Promise<OutdatedRow[]> {
  const rows = await sql<(ClaimableRecord & { run_at: string | null })[]>`
    select resource_id, current_revision_id, total_revision_count, schema_version, data, status, attempt,
      leased_by, is_deleted, created_by, run_at
    from jobstar.resources
    where model = ${model} and schema_version <> ${version} and status <> 'processing'
      and resource_id > ${after}
    order by resource_id limit ${limit}`;
  return rows.map((row) => ({
    ...toClaimableRow(row),
    runAt: row.run_at === null ? null : new Date(row.run_at),
  }));
}
