import type postgres from "postgres";
import { staleCutoff } from "./leases.js";
import type { PendingJob } from "./stale-jobs.js";

type Sql = postgres.Sql | postgres.TransactionSql;

interface HeadRow {
  resource_id: string;
  model: string;
  attempt: number;
  run_at: string | null;
  priority: number;
}

function toPendingJob(row: HeadRow): PendingJob {
  return {
    resourceId: row.resource_id,
    model: row.model,
    attempt: row.attempt,
    // Drizzle's driver leaves timestamps as strings on the shared client.
    runAt: row.run_at === null ? null : new Date(row.run_at),
    priority: row.priority,
  };
}

/**
 * The next job of each of `keys` (partitions of `model`): its earliest-submitted PENDING
 * job, if any. One statement, on the partial index of pending partitioned jobs.
 */
export async function findPartitionHeads(sql: Sql, model: string, keys: string[]): Promise<PendingJob[]> {
  if (keys.length === 0) return [];
  const rows = await sql<HeadRow[]>`
    select distinct on (partition_key) resource_id, model, attempt, run_at,
      coalesce((data->>'priority')::int, 0) as priority
    from jobstar.resources
    where model = ${model} and partition_key = any(${keys}::text[]) and status = 'pending' and not is_deleted
    order by partition_key, seq`;
  return rows.map(toPendingJob);
}

/**
 * The next jobs of partitions (of `models`) that nothing runs, due for longer than
 * `staleAfter` seconds: partitions whose next job's queue message may have been lost
 * (see the sweeper). Reads every pending partitioned job's index entry once. Each is
 * answered due when it became due, so that a new queue entry keeps its place.
 */
export async function findIdlePartitionHeads(
  sql: postgres.Sql,
  models: string[],
  staleAfter: number,
  limit = 1000,
): Promise<PendingJob[]> {
  if (models.length === 0) return [];
  const rows = await sql<HeadRow[]>`
    select h.resource_id, h.model, h.attempt, coalesce(h.run_at, h.updated_time) as run_at, h.priority from (
      select distinct on (model, partition_key) resource_id, model, partition_key, attempt, run_at,
        updated_time, coalesce((data->>'priority')::int, 0) as priority
      from jobstar.resources
      where status = 'pending' and partition_key is not null and not is_deleted
        and model in (select json_array_elements_text(${JSON.stringify(models)}::json))
      order by model, partition_key, seq) as h
    where coalesce(h.run_at, h.updated_time) < ${staleCutoff(sql, staleAfter)}
      and not exists (select 1 from jobstar.resources as p
        where p.model = h.model and p.partition_key = h.partition_key and p.status = 'processing')
    limit ${limit}`;
  return rows.map(toPendingJob);
}
