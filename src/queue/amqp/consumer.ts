import type { Channel, ChannelModel, ConsumeMessage } from "amqplib";
import type { Logger } from "../../log/logger.js";
import { pause } from "../../store/transient.js";
import type { Consumer, QueueMessage } from "../message-queue.js";
import type { AmqpConnection } from "./connection.js";

/** A message read off the broker: the job to run, and not before when (a Celery `eta`). */
export interface Delivery {
  message: QueueMessage;
  notBefore?: Date;
}

/** Options of {@link consumeAmqp}. */
export interface AmqpConsumeOptions {
  connection: AmqpConnection;
  /** The queues to take messages from, with the model each one carries. */
  queues: { queue: string; model: string }[];
  /** Declares a queue (and what it is bound to) on `channel`, as producers declare it. */
  declare(channel: Channel, queue: string): Promise<void>;
  /** Reads a message; null for one that is not a jobstar job (it is dropped with a warning). */
  decode(message: ConsumeMessage, model: string): Delivery | null;
  /** Unacknowledged messages the broker may hand this consumer at once. */
  prefetch: number;
  /** Messages processed at once. */
  concurrency: number;
  process(message: QueueMessage): Promise<void>;
  log: Logger;
}

/**
 * Consumes with manual acknowledgements: a message is acked once processed, so the broker
 * hands the messages of a consumer that dies (its connection closes) to another one. After
 * a reconnection the consumer subscribes again on a new channel. On stop it cancels its
 * subscriptions, returns the messages it had not started, and waits for those running.
 */
export async function consumeAmqp(options: AmqpConsumeOptions): Promise<Consumer> {
  const { log } = options;
  let channel: Channel | null = null;
  let stopping = false;
  let running = 0;
  const ready: { channel: Channel; raw: ConsumeMessage; delivery: Delivery }[] = [];
  const idle = new Set<() => void>();
  const stopSignal = new AbortController();

  const settle = (owner: Channel, raw: ConsumeMessage, ack: boolean) => {
    // A message of a channel that closed meanwhile is redelivered by the broker anyway.
    try {
      if (ack) owner.ack(raw);
      else owner.nack(raw, false, true);
    } catch {}
  };

  const pump = () => {
    while (!stopping && running < options.concurrency && ready.length > 0) {
      const next = ready.shift();
      if (!next) break;
      running++;
      void run(next.channel, next.raw, next.delivery).finally(() => {
        running--;
        if (running === 0) for (const resolve of idle) resolve();
        pump();
      });
    }
  };

  const run = async (owner: Channel, raw: ConsumeMessage, delivery: Delivery) => {
    const wait = delivery.notBefore ? delivery.notBefore.getTime() - Date.now() : 0;
    if (wait > 0) await pause(wait, stopSignal.signal);
    if (stopping && wait > 0) return settle(owner, raw, false);
    try {
      await options.process(delivery.message);
      settle(owner, raw, true);
    } catch {
      // Stopped before the claim reached the database: the job is still PENDING; back to the broker.
      settle(owner, raw, false);
    }
  };

  const onConnect = async (connection: ChannelModel) => {
    if (stopping) return;
    const opened = await connection.createChannel();
    opened.on("error", (error: Error) => log.warn({ reason: error.message }, "AMQP consumer channel error"));
    // A channel the broker closed on a live connection (a channel error, a deleted queue) is
    // opened again here; a lost connection resubscribes every consumer by itself.
    opened.on("close", () => {
      // Messages of this channel not started yet are redelivered by the broker: drop our copies.
      for (let i = ready.length - 1; i >= 0; i--) if (ready[i]?.channel === opened) ready.splice(i, 1);
      if (stopping || channel !== opened || !options.connection.isCurrent(connection)) return;
      log.warn({}, "AMQP consumer channel closed; opening a new one");
      void pause(500, stopSignal.signal)
        .then(() =>
          stopping || !options.connection.isCurrent(connection) ? undefined : onConnect(connection),
        )
        .catch((error: unknown) =>
          log.warn({ reason: String(error) }, "AMQP consumer could not subscribe again"),
        );
    });
    await opened.prefetch(options.prefetch, true);
    for (const { queue, model } of options.queues) {
      await options.declare(opened, queue);
      await opened.consume(queue, (raw) => {
        // Cancelled by the broker (its queue was deleted): a new channel subscribes again.
        if (!raw) return void opened.close().catch(() => {});
        if (stopping) return settle(opened, raw, false);
        let delivery: Delivery | null = null;
        try {
          delivery = options.decode(raw, model);
        } catch {}
        if (!delivery) {
          log.warn({ queue, size: raw.content.length }, "dropped a message that is not a jobstar job");
          return settle(opened, raw, true);
        }
        ready.push({ channel: opened, raw, delivery });
        pump();
      });
    }
    channel = opened;
  };

  const unsubscribe = await options.connection.subscribe(onConnect);
  return {
    stop: async () => {
      if (stopping) return;
      stopping = true;
      stopSignal.abort();
      unsubscribe();
      for (const { channel: owner, raw } of ready.splice(0)) settle(owner, raw, false);
      if (running > 0) await new Promise<void>((resolve) => idle.add(resolve));
      await channel?.close().catch(() => {});
    },
  };
}
