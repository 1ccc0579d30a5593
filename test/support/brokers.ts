// The shared RabbitMQ and Redis of the test machine: whether they answer, queue names of
// this test file alone (tests run in parallel), and their removal afterwards.
import { randomBytes } from "node:crypto";
import net from "node:net";
import amqp from "amqplib";
import { Redis } from "ioredis";

export const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";

/**
 * This test file's queue-name prefix: its broker queues are `<prefix><backend>.<model-key>`.
 * A worker process a test starts gets its parent's through `JOBSTAR_TEST_QUEUE_PREFIX`.
 */
export const RUN_PREFIX =
  process.env.JOBSTAR_TEST_QUEUE_PREFIX ?? `jobstar-test-${randomBytes(4).toString("hex")}.`;

/** Whether something listens at `url`'s host and port (1 s at most). */
export function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const [amqpUp, redisUp] = await Promise.all([reachable(AMQP_URL), reachable(REDIS_URL)]);

/** Why tests on `needs` cannot run here (the broker does not answer), or null when they can. */
export function missingBroker(needs: "amqp" | "redis" | null): string | null {
  if (needs === "amqp" && !amqpUp) return `RabbitMQ does not answer at ${AMQP_URL}: skipped`;
  if (needs === "redis" && !redisUp) return `Redis does not answer at ${REDIS_URL}: skipped`;
  return null;
}

/**
 * Deletes the RabbitMQ queues and exchanges `<prefix><model>`, and the Redis keys of those
 * queues (the list, jobstar's consumer keys, and the binding Python Celery declares).
 */
export async function removeBrokerQueues(prefix: string, models: string[]): Promise<void> {
  if (amqpUp) {
    const connection = await amqp.connect(AMQP_URL);
    try {
      for (const model of models) {
        const channel = await connection.createChannel();
        channel.on("error", () => {});
        await channel.deleteQueue(`${prefix}${model}`).catch(() => {});
        const exchanges = await connection.createChannel();
        exchanges.on("error", () => {});
        await exchanges.deleteExchange(`${prefix}${model}`).catch(() => {});
        await Promise.all([channel.close(), exchanges.close()].map((p) => p.catch(() => {})));
      }
    } finally {
      await connection.close();
    }
  }
  if (redisUp) {
    const redis = new Redis(REDIS_URL);
    try {
      for (const model of models) {
        const queue = `${prefix}${model}`;
        const found = [...(await redis.keys(`${queue}*`)), `_kombu.binding.${queue}`];
        await redis.del(...found);
      }
    } finally {
      redis.disconnect();
    }
  }
}
