// jobstar: jobs as resources (row, revision, queue entry and event per create), consumed
// through its run loop, on graphile-worker (the default) or on a broker queue.
import { randomBytes } from "node:crypto";
import pino from "pino";
import postgres from "postgres";
import { type RevisionInfo, Spec } from "../../src/index.js";
import { missingBroker, removeBrokerQueues } from "../../test/support/brokers.js";
import { startChild } from "../children.js";
import type { DatabaseServer } from "../database.js";
import { addNoopModel, NOOP_MODEL, NoopJob } from "../noop-model.js";
import { type BenchQueue, queueFactory } from "../queues.js";
import { inFlight } from "../stats.js";
import { type Peer, type Session, workerEnv } from "./peer.js";

type NoopInit = { payload: { n: number } };

/** The part of a resource manager the bench uses; `createMany` only on branches that have it. */
interface NoopManager {
  create(init: NoopInit): Promise<RevisionInfo>;
  createMany?: (inits: NoopInit[]) => Promise<RevisionInfo[]>;
}

/** A jobstar producer on `url` (schema migrated) and `queue`, and its manager. */
export async function openJobstar(
  url: string,
  queue: BenchQueue = "graphile",
  prefix = "jobstar.",
): Promise<{ spec: Spec; mgr: NoopManager }> {
  const spec = new Spec().configure({
    databaseUrl: url,
    messageQueueFactory: queueFactory(queue, prefix),
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

/** jobstar on `queue`: its own scratch database, and broker queues of its own. */
export function jobstarOn(queue: BenchQueue): Peer {
  return {
    name: queue === "graphile" ? "jobstar" : `jobstar (${queue})`,
    unavailable: async () =>
      queue === "graphile" ? null : missingBroker(queue === "celery-redis" ? "redis" : "amqp"),
    open: async (server: DatabaseServer): Promise<Session> => {
      const db = await server.scratch();
      const prefix = `jobstar-bench-${randomBytes(4).toString("hex")}.`;
      const { spec, mgr } = await openJobstar(db.url, queue, prefix);
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      return {
        bulkNote: typeof mgr.createMany === "function" ? undefined : "(createMany missing: fallback)",
        createOne: async (n) => void (await mgr.create({ payload: { n } })),
        createBulk: async (ns) => void (await createNoops(mgr, ns)),
        startWorker: (concurrency, reportStarts = false) =>
          startChild(
            "bench/workers/jobstar.ts",
            workerEnv({
              DATABASE_URL: db.url,
              CONCURRENCY: concurrency,
              REPORT_STARTS: reportStarts,
              BENCH_QUEUE: queue,
              BENCH_QUEUE_PREFIX: prefix,
            }),
          ),
        // Through the (model, status) index: a count that scanned every row (the data of
        // done jobs included) cost PostgreSQL 6 ms per poll at 10,000 jobs, taken from the
        // worker being measured; graphile-worker's count shrinks as its rows are deleted.
        unfinished: async () => {
          const [row] = await sql<{ n: number }[]>`
            select count(*)::int as n from jobstar.resources
            where model = ${NOOP_MODEL} and status in ('pending', 'processing')`;
          return row?.n ?? 0;
        },
        close: async () => {
          await sql.end();
          await spec.close();
          await db.drop();
          if (queue !== "graphile") await removeBrokerQueues(prefix, ["noop-job"]);
        },
      };
    },
  };
}

export const jobstar: Peer = jobstarOn("graphile");
