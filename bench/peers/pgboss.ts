// pg-boss 10 on the same PostgreSQL server: one queue `noop`; completed jobs stay in
// pgboss.job until archived, so they can be counted.
import PgBoss from "pg-boss";
import postgres from "postgres";
import { startChild } from "../children.js";
import type { DatabaseServer } from "../database.js";
import { type Peer, type Session, workerEnv } from "./peer.js";

export const pgboss: Peer = {
  name: "pg-boss",
  unavailable: async () => null,
  open: async (server: DatabaseServer): Promise<Session> => {
    const db = await server.scratch();
    const boss = new PgBoss({ connectionString: db.url, max: 60, supervise: false, schedule: false });
    // Once closing, the drop `with (force)` ends connections pg-boss may still hold: not news.
    let closing = false;
    boss.on("error", (error) => {
      if (!closing) console.error("pg-boss:", error.message);
    });
    await boss.start();
    await boss.createQueue("noop");
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    return {
      createOne: async (n) => void (await boss.send("noop", { n })),
      createBulk: (ns) => boss.insert(ns.map((n) => ({ name: "noop", data: { n } }))),
      startWorker: (concurrency, reportStarts = false) =>
        startChild(
          "bench/workers/pgboss.ts",
          workerEnv({ DATABASE_URL: db.url, CONCURRENCY: concurrency, REPORT_STARTS: reportStarts }),
        ),
      unfinished: async () => {
        const [row] = await sql<{ n: number }[]>`
          select count(*)::int as n from pgboss.job where name = 'noop' and state <> 'completed'`;
        return row?.n ?? 0;
      },
      close: async () => {
        closing = true;
        await sql.end();
        await boss.stop({ graceful: false, wait: true, timeout: 2000 });
        await db.drop();
      },
    };
  },
};
