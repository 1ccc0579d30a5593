import { ConfigurationError } from "../errors.js";
import { createLogger, type Logger } from "../log/logger.js";
import type { Database } from "../store/database.js";
import { celeryAmqpBroker } from "./celery/amqp-broker.js";
import { celeryRedisBroker } from "./celery/redis-broker.js";
import {
  type MessageQueue,
  type MessageQueueFactory,
  type QueueFactoryOptions,
  type RunSettings,
  runSettings,
} from "./message-queue.js";
import { OutboxMessageQueue } from "./outbox/outbox-queue.js";
import type { RelayOptions } from "./outbox/relay.js";

/** Options of {@link CeleryMessageQueueFactory}. */
export interface CeleryQueueOptions extends QueueFactoryOptions, RelayOptions {
  /** `amqp://…` (RabbitMQ) or `redis://…`. Default: `CELERY_BROKER_URL`, else `amqp://guest:guest@127.0.0.1:5672`. */
  brokerUrl?: string;
  /** Each model's queue is `<queuePrefix><model-key>`. Default: `jobstar.`. */
  queuePrefix?: string;
  /** AMQP: unacknowledged messages a consumer is handed at once. Default: the consumer's concurrency. */
  prefetch?: number;
  /**
   * Redis: a consumer silent this long (ms) is taken for dead and the messages it had
   * taken are delivered again. Default: 30000.
   */
  visibilityTimeout?: number;
}

/**
 * Celery's message protocol (version 2, JSON) over RabbitMQ or Redis, as upstream SpecStar
 * speaks it: each job is a task `jobstar.<model-key>.process_job` with args `[resourceId]`
 * on the queue `jobstar.<model-key>` (the attempt token rides in a `jobstar_attempt`
 * header). A Python Celery worker with a task of that name receives jobstar's jobs, and a
 * jobstar worker runs such a task sent by Python for a pending job. Jobs reach the broker
 * through a transactional outbox, as with {@link RabbitMQMessageQueueFactory}.
 */
export class CeleryMessageQueueFactory implements MessageQueueFactory {
  readonly settings: RunSettings;

  constructor(private readonly options: CeleryQueueOptions = {}) {
    this.settings = runSettings(options);
    if (options.prefetch !== undefined && !(Number.isInteger(options.prefetch) && options.prefetch > 0))
      throw new RangeError("prefetch must be an integer > 0");
    if (options.visibilityTimeout !== undefined && !(options.visibilityTimeout > 0))
      throw new RangeError("visibilityTimeout must be > 0");
  }

  create(database: Database, logger?: Logger): MessageQueue {
    const url =
      this.options.brokerUrl ?? process.env.CELERY_BROKER_URL ?? "amqp://guest:guest@127.0.0.1:5672";
    const prefix = this.options.queuePrefix ?? "jobstar.";
    const scheme = new URL(url).protocol;
    const log = (logger ?? createLogger()).child({ component: "celery" });
    if (scheme === "amqp:" || scheme === "amqps:") {
      const broker = celeryAmqpBroker(url, prefix, log, this.options.prefetch);
      return new OutboxMessageQueue(database, `celery-amqp:${prefix}`, broker, log, this.options);
    }
    if (scheme === "redis:" || scheme === "rediss:") {
      const broker = celeryRedisBroker(url, prefix, log, {
        ...(this.options.visibilityTimeout ? { visibilityTimeout: this.options.visibilityTimeout } : {}),
      });
      return new OutboxMessageQueue(database, `celery-redis:${prefix}`, broker, log, this.options);
    }
    throw new ConfigurationError(`Celery broker ${scheme}// is not supported: use amqp:// or redis://`);
  }
}
