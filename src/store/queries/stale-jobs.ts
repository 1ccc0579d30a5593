import type postgres from "postgres";
import { staleCutoff } from "./leases.js";

/** Ids of PROCESSING jobs of `models` whose last heartbeat is older than `staleAfter` seconds. */
export async function findStaleJobs(
  sql: postgres.Sql,
  models: string[],
  staleAfter: number,
  limit = 100,
): Promise<string[]> {
  if (models.length === 0) return [];
  const rows = await sql<{ resource_id: string }[]>`
    select resource_id from jobstar.resources
    where status = 'processing' and model in (select json_array_elements_text(${JSON.stringify(models)}::json))
      and last_heartbeat_at < ${staleCutoff(sql, staleAfter)}
    limit ${limit}`;
  return rows.map((row) => row.resource_id);
}

/** A PENDING job as an in-process queue re-reads it at start. */
export interface PendingJob {
  resourceId: string;
  model: string;
  attempt: number;
  runAt: Date | null;
  priority: number;
}

/** The PENDING jobs of `models`, highest priority and due first: what an in-process queue picks up at start. */
export async function findPendingJobs(
  sql: postgres.Sql,
  models: string[],
  limit = 10_000,
): Promise<PendingJob[]> {
  if (models.length === 0) return [];
  const rows = await sql<
    { resource_id: string; model: string; attempt: number; run_at: string | null; priority: number }[]
  >`
    select resource_id, model, attempt, run_at, coalesce((data->>'priority')::int, 0) as priority
    from jobstar.resources
    where status = 'pending' and model in (select json_array_elements_text(${JSON.stringify(models)}::json)) and not is_deleted
    order by 5 desc, coalesce(run_at, created_time), created_time
    limit ${limit}`;
  return rows.map((row) => ({
    resourceId: row.resource_id,
    model: row.model,
    attempt: row.attempt,
    priority: row.priority,
    // Drizzle's driver leaves timestamps as strings on the shared client.
    runAt: row.run_at === null ? null : new Date(row.run_at),
  }));
}
