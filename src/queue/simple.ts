import type { Logger } from "../log/logger.js";
import type { Database } from "../store/database.js";
import { findPendingJobs } from "../store/queries/stale-jobs.js";
import type { UnitOfWork } from "../store/unit-of-work.js";
import {
  type ConsumeOptions,
  type Consumer,
  type MessageQueue,
  type MessageQueueFactory,
  type QueueFactoryOptions,
  type QueueMessage,
  type RunSettings,
  runSettings,
} from "./message-queue.js";

/**
 * Dispatches jobs inside this process: for local development and tests. Messages
 * live in memory; on `consume` the PENDING jobs already in the database are picked
 * up (each at its due time), so nothing is lost by a restart. Other processes never
 * see these messages: run one consuming process per model.
 */
export class SimpleMessageQueueFactory implements MessageQueueFactory {
  readonly settings: RunSettings;

  constructor(options: QueueFactoryOptions = {}) {
    this.settings = runSettings(options);
  }

  create(database: Database, _logger?: Logger): MessageQueue {
    return new SimpleMessageQueue(database);
  }
}

/** The longest delay a Node.js timer takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface LocalConsumer {
  options: ConsumeOptions;
  running: number;
  ready: QueueMessage[];
  idle: Set<() => void>;
}

class SimpleMessageQueue implements MessageQueue {
  private readonly consumers = new Set<LocalConsumer>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly database: Database) {}

  async enqueue(unit: UnitOfWork, message: QueueMessage): Promise<void> {
    unit.afterCommit(() => this.schedule(message));
  }

  async enqueueMany(unit: UnitOfWork, messages: QueueMessage[]): Promise<void> {
    unit.afterCommit(() => {
      for (const message of messages) this.schedule(message);
    });
  }

  async discard(): Promise<void> {
    // A message in memory is dropped by the claim when it comes due.
  }

  liveConsumerIds(): string[] {
    // Nothing is held in the database: an in-process message dies with its process.
    return [];
  }

  async releaseDead(): Promise<number> {
    return 0;
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    const consumer: LocalConsumer = { options, running: 0, ready: [], idle: new Set() };
    this.consumers.add(consumer);
    for (const job of await findPendingJobs(this.database.sql, options.models)) {
      this.schedule({
        model: job.model,
        resourceId: job.resourceId,
        attempt: job.attempt,
        priority: job.priority,
        ...(job.runAt ? { runAt: job.runAt } : {}),
      });
    }
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        consumer.ready.length = 0;
        if (consumer.running > 0) await new Promise<void>((resolve) => consumer.idle.add(resolve));
      },
    };
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(message: QueueMessage): void {
    const delay = message.runAt ? message.runAt.getTime() - Date.now() : 0;
    if (delay <= 0) {
      this.dispatch(message);
      return;
    }
    // A timer holds at most 2^31-1 ms (about 24.8 days; longer fires at once): wait in steps.
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (delay > MAX_TIMER_MS) this.schedule(message);
        else this.dispatch(message);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    timer.unref();
    this.timers.add(timer);
  }

  private dispatch(message: QueueMessage): void {
    // Without a consumer the message is dropped: the job stays PENDING in the
    // database, and the next consumer of its model picks it up at start.
    const consumer = [...this.consumers].find((c) => c.options.models.includes(message.model));
    if (consumer) this.deliver(consumer, message);
  }

  private deliver(consumer: LocalConsumer, message: QueueMessage): void {
    // Higher priority first; equal priorities in arrival order.
    const priority = message.priority ?? 0;
    const at = consumer.ready.findIndex((waiting) => (waiting.priority ?? 0) < priority);
    consumer.ready.splice(at === -1 ? consumer.ready.length : at, 0, message);
    this.pump(consumer);
  }

  private pump(consumer: LocalConsumer): void {
    while (consumer.running < consumer.options.concurrency && consumer.ready.length > 0) {
      const message = consumer.ready.shift() as QueueMessage;
      consumer.running++;
      consumer.options
        .process(message)
        .catch(() => {
          // Stopped before the claim reached the database: the job is still PENDING;
          // try again soon, as a durable queue would.
          if (this.consumers.has(consumer)) this.schedule({ ...message, runAt: new Date(Date.now() + 1000) });
        })
        .finally(() => {
          consumer.running--;
          if (consumer.running === 0) {
            for (const resolve of consumer.idle) resolve();
            consumer.idle.clear();
          }
          this.pump(consumer);
        });
    }
  }
}
