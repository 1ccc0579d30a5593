import { randomBytes } from "node:crypto";
import type { Logger } from "../../log/logger.js";
import type { Database } from "../../store/database.js";
import { staleCutoff } from "../../store/queries/leases.js";
import { removeWorkers } from "../../store/queries/workers.js";
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
  /** This process's consumers, with their ids in jobstar.workers. */
  private readonly consumers = new Map<Consumer, string>();
  private readonly started: Promise<void>;

  /** `name` tells this queue's rows from other queues' in a shared database. */
  constructor(
    private readonly database: Database,
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
    // Marked alive in jobstar.workers for the workers-alive metric only: nothing in the
    // database is locked by them.
    return [...this.consumers.values()];
  }

  async releaseDead(staleAfter: number): Promise<number> {
    // The broker hands a dead consumer's unacknowledged messages to another consumer by
    // itself (Redis: the consumers' own reaper does), so there is nothing to release; the
    // rows of consumers that stopped beating are only forgotten.
    await this.database.sql`delete from jobstar.workers
      where id like ${`${this.name}#%`} and last_seen_at < ${staleCutoff(this.database.sql, staleAfter)}`;
    return 0;
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    const consumer = await this.broker.consume(options);
    const id = `${this.name}#${randomBytes(6).toString("hex")}`;
    this.consumers.set(consumer, id);
    return {
      stop: async () => {
        if (!this.consumers.delete(consumer)) return;
        await consumer.stop();
        await removeWorkers(this.database.sql, [id]).catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all(consumers.map(([consumer]) => consumer.stop()));
    await removeWorkers(
      this.database.sql,
      consumers.map(([, id]) => id),
    ).catch(() => {});
    await this.started;
    await this.relay.stop();
    await this.broker.close();
  }
}
