import { randomUUID } from "node:crypto";
import type { Channel, ConsumeMessage } from "amqplib";
import { createLogger, type Logger } from "../log/logger.js";
import type { Database } from "../store/database.js";
import { AmqpConnection } from "./amqp/connection.js";
import { consumeAmqp, type Delivery } from "./amqp/consumer.js";
import { publishConfirmed } from "./amqp/publish.js";
import {
  CURRENT_ATTEMPT,
  type MessageQueue,
  type MessageQueueFactory,
  type QueueFactoryOptions,
  type QueueMessage,
  type RunSettings,
  runSettings,
} from "./message-queue.js";
import { OutboxMessageQueue } from "./outbox/outbox-queue.js";
import type { RelayOptions } from "./outbox/relay.js";

/** Options of {@link RabbitMQMessageQueueFactory}. */
export interface RabbitMQQueueOptions extends QueueFactoryOptions, RelayOptions {
  /** The broker. Default: `AMQP_URL`, else `amqp://guest:guest@127.0.0.1:5672`. */
  url?: string;
  /** Each model's queue is `<queuePrefix><model-key>`. Default: `jobstar.`. */
  queuePrefix?: string;
  /** Unacknowledged messages the broker hands a consumer at once. Default: the consumer's concurrency. */
  prefetch?: number;
}

/** The default broker URL: `AMQP_URL`, else a local RabbitMQ. */
export function defaultAmqpUrl(): string {
  return process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
}

/**
 * RabbitMQ: a durable queue per model (`jobstar.<model-key>`), persistent messages,
 * publisher confirms, manual acks with a prefetch of the consumer's concurrency, so a dead
 * worker's unacknowledged messages are redelivered by RabbitMQ. Jobs reach the broker
 * through a transactional outbox (written with the job, published once due and confirmed),
 * so a job committed while the broker is down is published when it returns.
 */
export class RabbitMQMessageQueueFactory implements MessageQueueFactory {
  readonly settings: RunSettings;

  constructor(private readonly options: RabbitMQQueueOptions = {}) {
    this.settings = runSettings(options);
    if (options.prefetch !== undefined && !(Number.isInteger(options.prefetch) && options.prefetch > 0))
      throw new RangeError("prefetch must be an integer > 0");
  }

  create(database: Database, logger?: Logger): MessageQueue {
    const log = (logger ?? createLogger()).child({ component: "rabbitmq" });
    const prefix = this.options.queuePrefix ?? "jobstar.";
    const connection = new AmqpConnection(this.options.url ?? defaultAmqpUrl(), log);
    const declare = async (channel: Channel, queue: string) => {
      await channel.assertQueue(queue, { durable: true });
    };
    return new OutboxMessageQueue(
      database,
      `rabbitmq:${prefix}`,
      {
        publish: (messages) =>
          publishConfirmed(
            connection,
            messages.map((message) => ({
              exchange: "",
              routingKey: `${prefix}${message.model}`,
              content: Buffer.from(JSON.stringify(encode(message))),
              options: {
                persistent: true,
                contentType: "application/json",
                messageId: randomUUID(),
                timestamp: Math.floor(Date.now() / 1000),
              },
            })),
            declare,
          ),
        consume: (options) =>
          consumeAmqp({
            connection,
            queues: options.models.map((model) => ({ queue: `${prefix}${model}`, model })),
            declare,
            decode,
            prefetch: this.options.prefetch ?? options.concurrency,
            concurrency: options.concurrency,
            process: options.process,
            log,
          }),
        close: () => connection.close(),
      },
      log,
      this.options,
    );
  }
}

/** The body of a message: the job, and the attempt token of the PENDING state it was made for. */
function encode(message: QueueMessage): { resourceId: string; attempt: number } {
  return { resourceId: message.resourceId, attempt: message.attempt };
}

function decode(raw: ConsumeMessage, model: string): Delivery | null {
  const body = JSON.parse(raw.content.toString("utf8")) as { resourceId?: unknown; attempt?: unknown };
  if (typeof body.resourceId !== "string") return null;
  const attempt = typeof body.attempt === "number" ? body.attempt : CURRENT_ATTEMPT;
  return { message: { model, resourceId: body.resourceId, attempt } };
}
