// graphile-worker's fetch of due entries after a burst of creates: the table's statistics
// are stale then (nothing has analyzed it yet), and a planner left to itself sorts the
// whole backlog on every fetch of the local queue. jobstar's consumer pool keeps the fetch
// on graphile-worker's index; this counts the sequential scans of the queue table to show it.

import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Schema, Spec } from "../../src/index.js";
import { ScriptJob, script } from "../fixtures/models.js";
import { freshDatabase } from "../support/database.js";
import { queueFactory } from "../support/spec.js";
import { waitFor } from "../support/wait.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let sql: postgres.Sql;

beforeAll(async () => {
  db = await freshDatabase();
  sql = postgres(db.url, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

/** Sequential scans of graphile-worker's queue table so far, as the statistics system has them. */
async function seqScans(): Promise<number> {
  const [row] = await sql<{ n: string }[]>`
    select seq_scan::text as n from pg_stat_user_tables
    where schemaname = 'graphile_worker' and relname = '_private_jobs'`;
  return Number(row?.n ?? 0);
}

it("fetches a fresh backlog through the queue's index, not by scanning and sorting it", async () => {
  const jobs = 3000;
  const concurrency = 8;
  const spec = new Spec().configure({ databaseUrl: db.url, messageQueueFactory: queueFactory("graphile") });
  spec.addModel(new Schema(ScriptJob, "v1"), { jobHandler: script });
  let before = 0;
  try {
    await spec.start();
    const mgr = spec.getResourceManager(ScriptJob);
    for (let i = 0; i < jobs; i += 1000) {
      await mgr.createMany(Array.from({ length: 1000 }, () => ({ payload: { behaviour: "ok" as const } })));
    }
    const [stats] = await sql<{ analyzed: number }[]>`
      select count(*)::int as analyzed from pg_stat_user_tables
      where schemaname = 'graphile_worker' and relname = '_private_jobs'
        and (last_analyze is not null or last_autoanalyze is not null)`;
    // The premise: the backlog is there and nothing has analyzed the table yet.
    expect(stats?.analyzed).toBe(0);
    before = await seqScans();
    await mgr.startConsume({ block: false, concurrency });
    await waitFor(
      // Not counted on the queue table: that would be a sequential scan of its own.
      async () =>
        (
          await sql<
            { n: number }[]
          >`select count(*)::int as n from jobstar.resources where status <> 'completed'`
        )[0]?.n,
      (left) => left === 0,
      120_000,
    );
  } finally {
    // The worker's connections close with it, and a closing backend reports its counts.
    await spec.close();
  }
  // Once they are gone, their counts are in.
  await waitFor(
    async () =>
      (
        await sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()`
      )[0]?.n,
    (n) => n === 0,
    20_000,
  );
  const scans = (await seqScans()) - before;
  // Each fetch takes up to 2 × concurrency entries: at least this many fetches ran.
  const fetches = jobs / (2 * concurrency);
  // A few scans come from the sweeper's look for entries locked by dead workers (no index
  // on locked_by); a scan per fetch would be ~190.
  expect(scans).toBeLessThan(fetches / 5);
});
