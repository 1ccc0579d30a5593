// The queue factories jobstar can run on, by the name the bench gives them; the producer
// and its worker process build the same one (the worker from BENCH_QUEUE and
// BENCH_QUEUE_PREFIX), with broker queues of the measurement's own.
import {
  CeleryMessageQueueFactory,
  GraphileWorkerMessageQueueFactory,
  type MessageQueueFactory,
  RabbitMQMessageQueueFactory,
} from "../src/message-queue.js";

export const QUEUES = ["graphile", "rabbitmq", "celery-amqp", "celery-redis"] as const;
export type BenchQueue = (typeof QUEUES)[number];

export const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";

/** The factory of `queue`; broker queues are named `<prefix><model-key>`. */
export function queueFactory(queue: BenchQueue, prefix: string): MessageQueueFactory {
  switch (queue) {
    case "graphile":
      return new GraphileWorkerMessageQueueFactory({ pollInterval: 1000 });
    case "rabbitmq":
      return new RabbitMQMessageQueueFactory({ url: AMQP_URL, queuePrefix: prefix });
    case "celery-amqp":
      return new CeleryMessageQueueFactory({ brokerUrl: AMQP_URL, queuePrefix: prefix });
    case "celery-redis":
      return new CeleryMessageQueueFactory({ brokerUrl: REDIS_URL, queuePrefix: prefix });
  }
}

/** The queue a worker process was started for. */
export function queueOfEnv(): BenchQueue {
  const queue = (process.env.BENCH_QUEUE ?? "graphile") as BenchQueue;
  if (!QUEUES.includes(queue)) throw new Error(`BENCH_QUEUE=${queue} is not one of ${QUEUES.join(", ")}`);
  return queue;
}
