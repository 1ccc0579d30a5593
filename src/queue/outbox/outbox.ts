import { sql } from "drizzle-orm";
import type postgres from "postgres";
import type { UnitOfWork } from "../../store/unit-of-work.js";
import type { QueueMessage } from "../message-queue.js";

/** The NOTIFY channel an outbox insert wakes the relays on; the payload is the queue's name. */
export const OUTBOX_CHANNEL = "jobstar_outbox";

/** A row of `jobstar.outbox` taken by a relay. */
export interface OutboxRow {
  id: string;
  model: string;
  resourceId: string;
  attempt: number;
  runAt: Date | string;
}

/**
 * Writes `messages` as rows of `queue` in `unit`'s transaction (one statement), with a
 * NOTIFY that reaches the relays when, and only if, the transaction commits.
 */
export async function insertOutbox(unit: UnitOfWork, queue: string, messages: QueueMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const rows = messages.map(
    (m) =>
      sql`(${queue}, ${m.model}, ${m.resourceId}, ${m.attempt}, coalesce(${m.runAt?.toISOString() ?? null}::timestamptz, now()))`,
  );
  await unit.tx.execute(sql`with added as (
      insert into jobstar.outbox (queue, model, resource_id, attempt, run_at) values ${sql.join(rows, sql`, `)}
      returning 1)
    select pg_notify(${OUTBOX_CHANNEL}, ${queue}) from (select 1 from added limit 1) as one`);
}

/** Deletes the waiting row of `message` in `unit`'s transaction (a cancelled job). */
export async function deleteOutbox(unit: UnitOfWork, queue: string, message: QueueMessage): Promise<void> {
  await unit.tx.execute(sql`delete from jobstar.outbox
    where queue = ${queue} and resource_id = ${message.resourceId} and attempt = ${message.attempt}`);
}

/**
 * Locks up to `limit` due rows of `queue` in `tx`, oldest due first. Rows another relay
 * holds are skipped, so several relays never publish one row at once.
 */
export function takeDueRows(tx: postgres.TransactionSql, queue: string, limit: number): Promise<OutboxRow[]> {
  return tx<OutboxRow[]>`
    select id::text as id, model, resource_id as "resourceId", attempt, run_at as "runAt"
    from jobstar.outbox where queue = ${queue} and run_at <= now()
    order by run_at limit ${limit} for update skip locked`;
}

/** Deletes published rows in `tx`. */
export async function deleteRows(tx: postgres.TransactionSql, ids: string[]): Promise<void> {
  await tx`delete from jobstar.outbox where id = any(${ids}::bigint[])`;
}

/** Milliseconds until the next row of `queue` comes due, or null when none waits. */
export async function nextDueIn(sqlClient: postgres.Sql, queue: string): Promise<number | null> {
  const [row] = await sqlClient<{ ms: number | null }[]>`
    select greatest(0, extract(epoch from (min(run_at) - now())) * 1000)::float8 as ms
    from jobstar.outbox where queue = ${queue}`;
  return row?.ms ?? null;
}
