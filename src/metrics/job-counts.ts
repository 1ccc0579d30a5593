import type postgres from "postgres";

/** Jobs of one model in one status, from the resources table. */
export interface JobCount {
  model: string;
  status: string;
  count: number;
  /** Seconds since the longest-waiting job of this group last changed (e.g. became pending). */
  oldestAgeSeconds: number;
}

/**
 * Worker processes with a queue consumer seen alive (in `jobstar.workers`) within
 * `staleAfter` seconds: one per process, whatever the number of models it consumes.
 */
export async function countLiveWorkers(sql: postgres.Sql, staleAfter: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(distinct (hostname, pid))::int as n from jobstar.workers
    where last_seen_at > now() - make_interval(secs => ${staleAfter}::float8)`;
  return row?.n ?? 0;
}

/** Counts live jobs by model and status in one grouped scan (one round trip per scrape). */
export async function countJobs(sql: postgres.Sql): Promise<JobCount[]> {
  const rows = await sql<{ model: string; status: string; count: number; oldest: number | null }[]>`
    select model, status, count(*)::int as count,
           extract(epoch from now() - min(updated_time))::float8 as oldest
    from jobstar.resources
    where not is_deleted
    group by model, status`;
  return rows.map((row) => ({
    model: row.model,
    status: row.status,
    count: row.count,
    oldestAgeSeconds: Math.max(0, row.oldest ?? 0),
  }));
}
