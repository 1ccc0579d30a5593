// Raw graphile-worker 0.17: a job is one row in its queue table, deleted when done.
import { makeWorkerUtils } from "graphile-worker";
import postgres from "postgres";
import { startChild } from "../children.js";
import type { DatabaseServer } from "../database.js";
import { quietPool } from "../pg-pool.js";
import { type Peer, type Session, workerEnv } from "./peer.js";

export const graphile: Peer = {
  name: "graphile-worker",
  unavailable: async () => null,
  open: async (server: DatabaseServer): Promise<Session> => {
    const db = await server.scratch();
    // Our own pool, ended before the drop: WorkerUtils' release() leaves its pool's
    // clients open long enough for `drop database … with (force)` to make them throw.
    const pool = quietPool(db.url);
    const utils = await makeWorkerUtils({ pgPool: pool });
    await utils.migrate();
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    return {
      createOne: async (n) => void (await utils.addJob("noop", { n })),
      createBulk: async (ns) =>
        void (await utils.addJobs(ns.map((n) => ({ identifier: "noop", payload: { n } })))),
      startWorker: (concurrency, reportStarts = false) =>
        startChild(
          "bench/workers/graphile.ts",
          workerEnv({ DATABASE_URL: db.url, CONCURRENCY: concurrency, REPORT_STARTS: reportStarts }),
        ),
      unfinished: async () => {
        const [row] = await sql<
          { n: number }[]
        >`select count(*)::int as n from graphile_worker._private_jobs`;
        return row?.n ?? 0;
      },
      close: async () => {
        await sql.end();
        await utils.release();
        await pool.end();
        await db.drop();
      },
    };
  },
};
