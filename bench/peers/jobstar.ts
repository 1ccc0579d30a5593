// jobstar: jobs as resources (row, revision, queue entry and event per create), consumed
// through its run loop on graphile-worker. `createMany` is new on main: used when present.
import pino from "pino";
import postgres from "postgres";
import { type RevisionInfo, Spec } from "../../src/index.js";
import { GraphileWorkerMessageQueueFactory } from "../../src/message-queue.js";
import { startChild } from "../children.js";
import type { DatabaseServer } from "../database.js";
import { addNoopModel, NoopJob } from "../noop-model.js";
import { inFlight } from "../stats.js";
import { type Peer, type Session, workerEnv } from "./peer.js";

type NoopInit = { payload: { n: number } };

/** The part of a resource manager the bench uses; `createMany` only on branches that have it. */
interface NoopManager {
  create(init: NoopInit): Promise<RevisionInfo>;
  createMany?: (inits: NoopInit[]) => Promise<RevisionInfo[]>;
}

/** A jobstar producer on `url` (schema migrated), and its manager. */
export async function openJobstar(url: string): Promise<{ spec: Spec; mgr: NoopManager }> {
  const spec = new Spec().configure({
    databaseUrl: url,
    messageQueueFactory: new GraphileWorkerMessageQueueFactory(),
    logger: pino({ level: "error" }, pino.destination(2)),
  });
  addNoopModel(spec);
  await spec.start();
  const mgr: NoopManager = spec.getResourceManager(NoopJob);
  return { spec, mgr };
}

/** Creates `ns` in one createMany call, or (without it) with 50 creates in flight; returns their ids. */
export async function createNoops(mgr: NoopManager, ns: number[]): Promise<string[]> {
  const inits = ns.map((n) => ({ payload: { n } }));
  if (typeof mgr.createMany === "function") {
    return (await mgr.createMany(inits)).map((info) => info.resourceId);
  }
  const ids: string[] = [];
  await inFlight(inits.length, 50, async (i) => {
    ids[i] = (await mgr.create(inits[i] as NoopInit)).resourceId;
  });
  return ids;
}

export const jobstar: Peer = {
  name: "jobstar",
  unavailable: async () => null,
  open: async (server: DatabaseServer): Promise<Session> => {
    const db = await server.scratch();
    const { spec, mgr } = await openJobstar(db.url);
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    return {
      bulkNote: typeof mgr.createMany === "function" ? undefined : "(createMany missing: fallback)",
      createOne: async (n) => void (await mgr.create({ payload: { n } })),
      createBulk: async (ns) => void (await createNoops(mgr, ns)),
      startWorker: (concurrency, reportStarts = false) =>
        startChild(
          "bench/workers/jobstar.ts",
          workerEnv({ DATABASE_URL: db.url, CONCURRENCY: concurrency, REPORT_STARTS: reportStarts }),
        ),
      unfinished: async () => {
        const [row] = await sql<{ n: number }[]>`
          select count(*)::int as n from jobstar.resources where status <> 'completed'`;
        return row?.n ?? 0;
      },
      close: async () => {
        await sql.end();
        await spec.close();
        await db.drop();
      },
    };
  },
};
