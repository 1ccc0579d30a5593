import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { expect } from "vitest";
import type { JobEvent } from "../../src/index.js";
import { waitFor } from "./wait.js";

/** Rows in jobstar's tables and in graphile-worker's queue. */
export interface RowCounts {
  resources: number;
  revisions: number;
  queue: number;
}

/** Counts the rows a job write adds: resources, revisions and queue entries (graphile-worker's, or the outbox's). */
export async function countRows(sql: postgres.Sql): Promise<RowCounts> {
  const rows = await sql<RowCounts[]>`select
    (select count(*) from jobstar.resources)::int as resources,
    (select count(*) from jobstar.revisions)::int as revisions,
    ((select count(*) from graphile_worker.jobs) + (select count(*) from jobstar.outbox))::int as queue`;
  const [counts] = rows;
  if (!counts) throw new Error("no counts");
  return counts;
}

/**
 * Every payload NOTIFYed on the `jobstar` channel, received by a LISTEN on its own
 * connection (postgres.js `sql.listen`), as a client in another process would.
 */
export class EventLog {
  /** Raw payloads in arrival order, sentinels included. */
  readonly payloads: string[] = [];

  private constructor(private readonly sql: postgres.Sql) {}

  static async open(url: string): Promise<EventLog> {
    const sql = postgres(url, { max: 2, onnotice: () => {} });
    const log = new EventLog(sql);
    await sql.listen("jobstar", (payload) => log.payloads.push(payload));
    return log;
  }

  /** The job events received so far (sentinels left out), without their write time `at`. */
  events(): JobEvent[] {
    return this.payloads
      .map((payload) => JSON.parse(payload) as JobEvent | { sentinel: string })
      .filter((event): event is JobEvent => !("sentinel" in event))
      .map(({ at: _at, ...event }) => event);
  }

  /** The events of one job. */
  eventsOf(resourceId: string): JobEvent[] {
    return this.events().filter((event) => event.resourceId === resourceId);
  }

  /**
   * Sends a sentinel NOTIFY and waits until it arrives. PostgreSQL delivers
   * notifications in commit order, so afterwards every event committed before
   * this call has arrived: "no event" can be asserted without sleeping.
   */
  async settle(): Promise<void> {
    const sentinel = JSON.stringify({ sentinel: randomUUID() });
    await this.sql`select pg_notify('jobstar', ${sentinel})`;
    await waitFor(
      async () => this.payloads.includes(sentinel),
      (arrived) => arrived,
    );
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}

/**
 * Runs `attempt`, expects it to reject, and checks that it left no trace: no new
 * resource, revision or queue row (graphile-worker's or the outbox's), and no event delivered. Returns the rejection.
 * Queue rows are counted by creation time: a consumer finishing an earlier job may
 * delete its row meanwhile, which is not this attempt's doing.
 */
export async function expectNoEffect(
  sql: postgres.Sql,
  log: EventLog,
  attempt: () => Promise<unknown>,
): Promise<unknown> {
  await log.settle();
  const [start] = await sql<{ at: string }[]>`select now()::text as at`;
  const since = start?.at ?? "infinity";
  const before = await countRows(sql);
  const seen = log.events().length;
  const error = await attempt().then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  await log.settle();
  const after = await countRows(sql);
  const [queued] = await sql<{ n: number }[]>`select
    ((select count(*) from graphile_worker.jobs where created_at >= ${since}::timestamptz)
      + (select count(*) from jobstar.outbox where created_at >= ${since}::timestamptz))::int as n`;
  expect(
    { resources: after.resources, revisions: after.revisions, newQueueEntries: queued?.n },
    "rows after the failed write",
  ).toEqual({ resources: before.resources, revisions: before.revisions, newQueueEntries: 0 });
  expect(log.events().slice(seen), "events after the failed write").toEqual([]);
  return error;
}
