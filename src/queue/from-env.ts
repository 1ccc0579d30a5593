import { ConfigurationError } from "../errors.js";
import { CeleryMessageQueueFactory } from "./celery.js";
import { GraphileWorkerMessageQueueFactory } from "./graphile.js";
import type { MessageQueueFactory, QueueFactoryOptions } from "./message-queue.js";
import { RabbitMQMessageQueueFactory } from "./rabbitmq.js";
import { SimpleMessageQueueFactory } from "./simple.js";

/** The queue kinds `JOBSTAR_QUEUE` may name. */
export type QueueKind = "graphile" | "simple" | "rabbitmq" | "celery";

/**
 * The queue factory `JOBSTAR_QUEUE` names (`graphile`, `simple`, `rabbitmq`, `celery`),
 * else `fallback`'s. RabbitMQ's broker comes from `AMQP_URL`, Celery's from
 * `CELERY_BROKER_URL` (`amqp://…` or `redis://…`). `options` (run settings) go to any of them.
 */
export function queueFromEnv(
  fallback: QueueKind = "graphile",
  options: QueueFactoryOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): MessageQueueFactory {
  const kind = env.JOBSTAR_QUEUE?.trim() || fallback;
  switch (kind) {
    case "graphile":
      return new GraphileWorkerMessageQueueFactory(options);
    case "simple":
      return new SimpleMessageQueueFactory(options);
    case "rabbitmq":
      return new RabbitMQMessageQueueFactory({ ...options, ...(env.AMQP_URL ? { url: env.AMQP_URL } : {}) });
    case "celery":
      return new CeleryMessageQueueFactory({
        ...options,
        ...(env.CELERY_BROKER_URL ? { brokerUrl: env.CELERY_BROKER_URL } : {}),
      });
    default:
      throw new ConfigurationError(
        `JOBSTAR_QUEUE=${kind} is not a queue: use graphile, simple, rabbitmq or celery`,
      );
  }
}
