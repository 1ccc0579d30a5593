// `npm run bench`: end-to-end throughput of every queue, side by side in one run, on
// DATABASE_URL or a throwaway embedded PostgreSQL. Each round creates JOBS no-op jobs
// (each its own transaction) while a consumer of CONCURRENCY runs them, and measures the
// time until every job is COMPLETED. The broker queues (RabbitMQ at AMQP_URL, Celery over
// it and over Redis at REDIS_URL) run on queues of their own, removed afterwards, and are
// left out when their broker does not answer. Bounded: JOBS (default 500) x 5.

import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import amqp from "amqplib";
import { Redis } from "ioredis";
import postgres from "postgres";
import { z } from "zod";
import { Job, Schema, Spec, TaskStatus } from "../src/index.js";
import {
  CeleryMessageQueueFactory,
  GraphileWorkerMessageQueueFactory,
  type MessageQueueFactory,
  RabbitMQMessageQueueFactory,
  SimpleMessageQueueFactory,
} from "../src/message-queue.js";
import { startEmbeddedPostgres } from "../src/store/embedded.js";

const JOBS = Number(process.env.JOBS ?? 500);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";
const PREFIX = `jobstar-bench-${randomBytes(4).toString("hex")}.`;

/** Whether something listens at `url`'s host and port. */
function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => resolve(false));
  });
}

/** Removes the bench's broker queues. */
async function cleanUp(amqpUp: boolean, redisUp: boolean): Promise<void> {
  if (amqpUp) {
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    for (const kind of ["rabbitmq", "celery-amqp"]) {
      await channel.deleteQueue(`${PREFIX}${kind}.noop-job`);
      if (kind === "celery-amqp") await channel.deleteExchange(`${PREFIX}${kind}.noop-job`);
    }
    await connection.close();
  }
  if (redisUp) {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

class NoopJob extends Job(z.object({ n: z.number().int() })) {}

async function round(adminUrl: string, name: string, factory: MessageQueueFactory): Promise<number> {
  const database = `jobstar_bench_${name}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const spec = new Spec().configure({ databaseUrl: url.toString(), messageQueueFactory: factory });
  spec.addModel(new Schema(NoopJob, "v1"), { jobHandler: () => {} });
  const mgr = spec.getResourceManager(NoopJob);
  await mgr.startConsume({ block: false, concurrency: CONCURRENCY });
  const started = performance.now();
  for (let i = 0; i < JOBS; i++) await mgr.create({ payload: { n: i } });
  while ((await mgr.list({ status: [TaskStatus.COMPLETED], limit: 1 })).totalCount < JOBS) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await spec.close();
  await admin.unsafe(`drop database ${database} with (force)`);
  await admin.end();
  return seconds;
}

let adminUrl = process.env.DATABASE_URL;
let stop = async () => {};
if (!adminUrl) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jobstar-bench-"));
  await fs.chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({ dir, database: "postgres" });
  adminUrl = server.url;
  stop = async () => {
    await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
const [amqpUp, redisUp] = await Promise.all([reachable(AMQP_URL), reachable(REDIS_URL)]);
const queues: [string, () => MessageQueueFactory][] = [
  ["simple", () => new SimpleMessageQueueFactory()],
  ["graphile", () => new GraphileWorkerMessageQueueFactory()],
  ...(amqpUp
    ? ([
        [
          "rabbitmq",
          () => new RabbitMQMessageQueueFactory({ url: AMQP_URL, queuePrefix: `${PREFIX}rabbitmq.` }),
        ],
        [
          "celery-amqp",
          () => new CeleryMessageQueueFactory({ brokerUrl: AMQP_URL, queuePrefix: `${PREFIX}celery-amqp.` }),
        ],
      ] as [string, () => MessageQueueFactory][])
    : []),
  ...(redisUp
    ? ([
        [
          "celery-redis",
          () =>
            new CeleryMessageQueueFactory({ brokerUrl: REDIS_URL, queuePrefix: `${PREFIX}celery-redis.` }),
        ],
      ] as [string, () => MessageQueueFactory][])
    : []),
];
try {
  const results: [string, number][] = [];
  for (const [name, factory] of queues)
    results.push([name, await round(adminUrl, name.replace("-", "_"), factory())]);
  console.log(
    `jobs per queue: ${JOBS}, consumer concurrency: ${CONCURRENCY}, node ${process.version}, ${os.cpus().length} cores`,
  );
  if (!amqpUp) console.log(`RabbitMQ does not answer at ${AMQP_URL}: rabbitmq and celery-amqp left out`);
  if (!redisUp) console.log(`Redis does not answer at ${REDIS_URL}: celery-redis left out`);
  const graphile = results.find(([name]) => name === "graphile")?.[1] ?? 1;
  for (const [name, seconds] of results) {
    console.log(
      `${`${name}:`.padEnd(14)} ${seconds.toFixed(2)} s, ${(JOBS / seconds).toFixed(0).padStart(4)} jobs/s` +
        ` (create + run + complete), ${(seconds / graphile).toFixed(2)}x graphile's time`,
    );
  }
} finally {
  await cleanUp(amqpUp, redisUp).catch((error: unknown) => console.error("bench clean-up failed:", error));
  await stop();
}
