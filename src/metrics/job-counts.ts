import type postgres from "postgres";

/** Jobs of one model in one status, from the resources table. */
export interface JobCount {
  model: string;
  status: string;
  count: number;
  /** Seconds since the longest-waiting job of this group last changed (e.g. became pending). */
  oldestAgeSeconds: number;
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
