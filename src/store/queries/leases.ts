import { sql as drizzleSql, type SQL } from "drizzle-orm";
import type postgres from "postgres";

/** A running attempt: the job, and the token its claim took. */
export interface LeaseKey {
  resourceId: string;
  attempt: number;
}

/**
 * Touches the heartbeat of every running attempt in `leases` in one statement, with
 * the database's clock. Returns the resource ids whose attempt is no longer current
 * (cancelled, recovered or re-run meanwhile): their handlers should stop.
 */
export async function touchLeases(sql: postgres.Sql, leases: LeaseKey[]): Promise<Set<string>> {
  if (leases.length === 0) return new Set();
  const ids = leases.map((lease) => lease.resourceId);
  const rows = JSON.stringify(
    leases.map(({ resourceId, attempt }) => ({ resource_id: resourceId, attempt })),
  );
  // The running attempt's draft revision is touched in place too: readers of the job
  // (the API, the UI) see the heartbeat where they see the rest of its state.
  const touched = await sql<{ resource_id: string }[]>`
    with touched as (
      update jobstar.resources as r
      set last_heartbeat_at = now(),
          data = jsonb_set(r.data, '{lastHeartbeatAt}', to_jsonb(now()))
      from json_to_recordset(${rows}::json) as l(resource_id text, attempt int)
      where r.resource_id = any(${ids}::text[])
        and r.resource_id = l.resource_id and r.attempt = l.attempt and r.status = 'processing'
      returning r.resource_id, r.current_revision_id
    ), drafts as (
      update jobstar.revisions as v
      set data = jsonb_set(v.data, '{lastHeartbeatAt}', to_jsonb(now())), updated_time = now()
      from touched where v.revision_id = touched.current_revision_id
    )
    select resource_id from touched`;
  const alive = new Set(touched.map((row) => row.resource_id));
  return new Set(ids.filter((id) => !alive.has(id)));
}

/**
 * The time before which a sign of life is too old, given `staleAfter` seconds: `now()
 * - staleAfter`, except that nothing is stale until the database itself has been up
 * for `staleAfter`, so that a database restart gives every worker time to come back
 * instead of making all of them look dead at once.
 */
export function staleCutoff(sql: postgres.Sql, staleAfter: number): postgres.Fragment {
  return sql.unsafe(cutoffText(staleAfter));
}

/** {@link staleCutoff} for a Drizzle query. */
export function staleCutoffSql(staleAfter: number): SQL {
  return drizzleSql.raw(cutoffText(staleAfter));
}

/** The rule's one text; `staleAfter` is a number checked here, so inlining it is safe. */
function cutoffText(staleAfter: number): string {
  if (!Number.isFinite(staleAfter) || staleAfter < 0)
    throw new RangeError("staleAfter must be a number >= 0");
  const interval = `make_interval(secs => ${staleAfter}::float8)`;
  return `(case when pg_postmaster_start_time() > now() - ${interval} then '-infinity'::timestamptz
    else now() - ${interval} end)`;
}
