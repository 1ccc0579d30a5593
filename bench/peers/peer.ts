// What the figures need of each queue system: fresh storage, ways to create no-op jobs,
// a worker in its own process, and a cheap count of the jobs not yet completed.
import type { Child } from "../../test/support/child.js";
import type { DatabaseServer } from "../database.js";

/** One system measured side by side (a table column). */
export interface Peer {
  readonly name: string;
  /** Why the peer cannot run here (e.g. no Redis), or null when it can. */
  unavailable(): Promise<string | null>;
  /** Fresh storage (a scratch database, a new queue name) with the schema in place. */
  open(server: DatabaseServer): Promise<Session>;
}

/** One measurement's storage and producer. */
export interface Session {
  /** Creates one no-op job (payload `{ n }`), one transaction (or one command). */
  createOne(n: number): Promise<void>;
  /** Said next to the bulk figure when `createBulk` is not one call (e.g. a fallback). */
  readonly bulkNote?: string;
  /** Creates no-op jobs for all of `ns` in one call. */
  createBulk(ns: number[]): Promise<void>;
  /**
   * Starts a worker process of `concurrency` on this storage, resolved once it waits for jobs.
   * With `reportStarts`, its handler prints `start <n> <ms>` when it begins job n
   * (bench/clock.ts, to the microsecond).
   */
  startWorker(concurrency: number, reportStarts?: boolean): Promise<Child>;
  /** How many created jobs are not completed yet. */
  unfinished(): Promise<number>;
  /** Closes the producer and removes the storage. */
  close(): Promise<void>;
}

/** The environment of a worker child: where to work and how. */
export function workerEnv(fields: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
}
