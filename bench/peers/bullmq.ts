// BullMQ on the local Redis (127.0.0.1:6379): a new queue name per measurement, its keys
// removed (obliterate) afterwards; skipped with a note when Redis does not answer.
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { startChild } from "../children.js";
import { type Peer, type Session, workerEnv } from "./peer.js";

const connection = { host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null, lazyConnect: true };
const run = randomBytes(3).toString("hex");
let count = 0;

/** `INFO server`'s redis_version, or null when Redis does not answer within 2 s. */
export async function redisVersion(): Promise<string | null> {
  const queue = new Queue("jobstar_bench_probe", {
    connection: { ...connection, retryStrategy: () => null },
  });
  queue.on("error", () => {});
  try {
    const client = await Promise.race([
      queue.client,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000)),
    ]);
    const info = await client.info("server");
    await queue.obliterate({ force: true }); // the meta key the connection wrote
    return /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
  } catch {
    return null;
  } finally {
    await queue.close().catch(() => {});
  }
}

/** Deletes the keys of every queue of this run still in Redis (after a failure or Ctrl-C). */
export async function removeLeftoverQueues(): Promise<void> {
  if (count === 0) return;
  const queue = new Queue(`jobstar_bench_${run}_cleanup`, { connection });
  queue.on("error", () => {});
  try {
    const client = await queue.client;
    const keys = await client.keys(`bull:jobstar_bench_${run}_*`);
    if (keys.length > 0) await client.del(...keys);
  } finally {
    await queue.close();
  }
}

export const bullmq: Peer = {
  name: "BullMQ",
  unavailable: async () => ((await redisVersion()) === null ? "no Redis at 127.0.0.1:6379" : null),
  open: async (): Promise<Session> => {
    const name = `jobstar_bench_${run}_${count++}`;
    const queue = new Queue<{ n: number }>(name, { connection });
    queue.on("error", (error) => console.error("bullmq:", error));
    await queue.waitUntilReady();
    return {
      createOne: async (n) => void (await queue.add("noop", { n })),
      createBulk: async (ns) => void (await queue.addBulk(ns.map((n) => ({ name: "noop", data: { n } })))),
      startWorker: (concurrency, reportStarts = false) =>
        startChild(
          "bench/workers/bullmq.ts",
          workerEnv({ QUEUE: name, CONCURRENCY: concurrency, REPORT_STARTS: reportStarts }),
        ),
      unfinished: () => queue.getJobCountByTypes("waiting", "active", "delayed", "prioritized", "wait"),
      close: async () => {
        await queue.obliterate({ force: true });
        await queue.close();
      },
    };
  },
};
