import type { Logger } from "../../log/logger.js";
import type { Database } from "../../store/database.js";
import type { UnitOfWork } from "../../store/unit-of-work.js";
import type { ConsumeOptions, Consumer, MessageQueue, QueueMessage } from "../message-queue.js";
import { deleteOutbox, insertOutbox } from "./outbox.js";
import { OutboxRelay, type Publish, type RelayOptions } from "./relay.js";

/** What a broker queue provides on top of the outbox. */
export interface Broker {
  /** Publishes and resolves once the broker has confirmed every message. */
  publish: Publish;
  /** Starts delivering messages of `options.models`; the broker redelivers what a dead consumer held. */
  consume(options: ConsumeOptions): Promise<Consumer>;
  /** Closes the broker connections (after the consumers stopped). */
  close(): Promise<void>;
}

/**
 * A queue on a broker that cannot join a PostgreSQL transaction: `enqueue` writes an outbox
 * row in the job's transaction and a relay in this process publishes it when due (see
 * {@link OutboxRelay}). Delays, retries and periodic runs wait in the outbox, not in the broker.
 */
export class OutboxMessageQueue implements MessageQueue {
  private readonly relay: OutboxRelay;
  private readonly consumers = new Set<Consumer>();
  private readonly started: Promise<void>;

  /** `name` tells this queue's rows from other queues' in a shared database. */
  constructor(
    database: Database,
    private readonly name: string,
    private readonly broker: Broker,
    log: Logger,
    relay: RelayOptions = {},
  ) {
    this.relay = new OutboxRelay(database.sql, name, broker.publish, log, relay);
    // The relay starts with the queue, so a process that only creates jobs (an API server) publishes them.
    this.started = this.relay.start();
  }

  async enqueue(unit: UnitOfWork, message: QueueMessage): Promise<void> {
    await insertOutbox(unit, this.name, [message]);
  }

  async enqueueMany(unit: UnitOfWork, messages: QueueMessage[]): Promise<void> {
    await insertOutbox(unit, this.name, messages);
  }

  async discard(unit: UnitOfWork, message: QueueMessage): Promise<void> {
    // A message already at the broker is delivered anyway, and dropped by its claim.
    await deleteOutbox(unit, this.name, message);
  }

  liveConsumerIds(): string[] {
    // Nothing of ours is locked in the database: the broker hands a dead consumer's
    // unacknowledged messages to another consumer by itself.
    return [];
  }

  async releaseDead(): Promise<number> {
    // As above: the broker (or, for Redis, the consumers' own reaper) releases them.
    return 0;
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    const consumer = await this.broker.consume(options);
    this.consumers.add(consumer);
    return {
      stop: async () => {
        if (!this.consumers.delete(consumer)) return;
        await consumer.stop();
      },
    };
  }

  async close(): Promise<void> {
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await this.started;
    await this.relay.stop();
    await this.broker.close();
  }
}
