import type { Channel, ConsumeMessage } from "amqplib";
import type { Logger } from "../../log/logger.js";
import { AmqpConnection } from "../amqp/connection.js";
import { consumeAmqp, type Delivery } from "../amqp/consumer.js";
import { publishConfirmed } from "../amqp/publish.js";
import type { Broker } from "../outbox/outbox-queue.js";
import { CONTENT_ENCODING, CONTENT_TYPE, decodeTask, encodeTask } from "./protocol.js";

/**
 * Celery over AMQP, declared as Celery declares a queue named on `send_task(queue=…)`: a
 * durable direct exchange and a durable queue, both named `<prefix><model-key>`, bound with
 * that name as routing key. Messages are persistent, published with confirms.
 */
export function celeryAmqpBroker(url: string, prefix: string, log: Logger, prefetch?: number): Broker {
  const connection = new AmqpConnection(url, log);
  const declare = async (channel: Channel, queue: string) => {
    await channel.assertExchange(queue, "direct", { durable: true, autoDelete: false });
    await channel.assertQueue(queue, { durable: true, autoDelete: false, exclusive: false });
    await channel.bindQueue(queue, queue, queue);
  };
  return {
    publish: (messages) =>
      publishConfirmed(
        connection,
        messages.map((message) => {
          const queue = `${prefix}${message.model}`;
          const task = encodeTask(message);
          return {
            exchange: queue,
            routingKey: queue,
            content: Buffer.from(task.body, "utf8"),
            options: {
              headers: task.headers,
              correlationId: task.properties.correlation_id,
              replyTo: task.properties.reply_to,
              deliveryMode: task.properties.delivery_mode,
              priority: task.properties.priority,
              contentType: CONTENT_TYPE,
              contentEncoding: CONTENT_ENCODING,
            },
          };
        }),
        declare,
      ),
    consume: (options) =>
      consumeAmqp({
        connection,
        queues: options.models.map((model) => ({ queue: `${prefix}${model}`, model })),
        declare,
        decode: (raw: ConsumeMessage, model: string): Delivery | null =>
          decodeTask(
            model,
            (raw.properties.headers ?? {}) as Record<string, unknown>,
            raw.content.toString("utf8"),
          ),
        prefetch: prefetch ?? options.concurrency,
        concurrency: options.concurrency,
        process: options.process,
        log,
      }),
    close: () => connection.close(),
  };
}
