import os from "node:os";
import type postgres from "postgres";

/** Marks the workers `ids` of this process alive now (inserting them the first time). */
export async function touchWorkers(sql: postgres.Sql, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    insert into jobstar.workers (id, hostname, pid)
    select id, ${os.hostname()}, ${process.pid} from json_array_elements_text(${JSON.stringify(ids)}::json) as w(id)
    on conflict (id) do update set last_seen_at = now()`;
}

/** Forgets workers that stopped cleanly. */
export async function removeWorkers(sql: postgres.Sql, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`delete from jobstar.workers where id in (select json_array_elements_text(${JSON.stringify(ids)}::json))`;
}
