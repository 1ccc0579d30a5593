import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "../../log/logger.js";
import { pause } from "../../store/transient.js";
import type { ConsumeOptions, Consumer, QueueMessage } from "../message-queue.js";
import type { Broker } from "../outbox/outbox-queue.js";
import type { DecodedTask } from "./protocol.js";
import { decodeEnvelope, encodeEnvelope } from "./redis-envelope.js";

/** Options of {@link celeryRedisBroker}. */
export interface RedisBrokerOptions {
  /**
   * A consumer silent this long (ms) is taken for dead, and the messages it had taken are
   * put back on their queue by another consumer. Default: 30000.
   */
  visibilityTimeout?: number;
}

/** The keys of a consumer `id` of the list `queue`. */
const keys = (queue: string, id: string) => ({
  /** The messages `id` took and has not finished, newest first. */
  taken: `${queue}.jobstar.taken.${id}`,
  /** Exists (with a time to live) while `id` is alive. */
  alive: `${queue}.jobstar.alive.${id}`,
});
/** The set of consumers of `queue` that may hold messages. */
const consumersKey = (queue: string) => `${queue}.jobstar.consumers`;

/**
 * Celery over Redis, on kombu's layout: a task is a JSON envelope LPUSHed onto the list
 * named after the queue, which Celery workers BRPOP. jobstar's consumers take a message
 * with BLMOVE into a list of their own (`<queue>.jobstar.taken.<consumer>`) and delete it
 * from there once processed. Each consumer keeps a key alive with a time to live of
 * `visibilityTimeout`; any consumer finding another's key expired moves that one's taken
 * messages back to the queue, so a message taken by a worker that died is delivered again.
 * (Python Celery workers on the same queue keep kombu's own `unacked` hash.)
 */
export function celeryRedisBroker(
  url: string,
  prefix: string,
  log: Logger,
  options: RedisBrokerOptions = {},
): Broker {
  const visibility = options.visibilityTimeout ?? 30_000;
  const client = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: false });
  client.on("error", (error: Error) => log.debug({ reason: error.message }, "Redis connection error"));
  const consumers = new Set<RedisConsumer>();
  return {
    publish: async (messages: QueueMessage[]) => {
      const pipeline = client.multi();
      for (const message of messages) {
        const queue = `${prefix}${message.model}`;
        pipeline.lpush(queue, encodeEnvelope(message, queue));
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error("Redis discarded the transaction");
    },
    consume: async (consume: ConsumeOptions): Promise<Consumer> => {
      const consumer = new RedisConsumer(client, prefix, consume, visibility, log);
      consumers.add(consumer);
      await consumer.start();
      return {
        stop: async () => {
          consumers.delete(consumer);
          await consumer.stop();
        },
      };
    },
    close: async () => {
      await Promise.all([...consumers].map((consumer) => consumer.stop()));
      client.disconnect();
    },
  };
}

class RedisConsumer {
  private readonly id = randomBytes(8).toString("hex");
  private readonly blocking: Redis;
  private readonly stopped = new AbortController();
  private running = 0;
  private readonly idle = new Set<() => void>();
  private slotFreed: (() => void) | null = null;
  private loops: Promise<void>[] = [];
  private failing = false;
  /** The raw messages being processed now (a message may be there twice). */
  private readonly inFlight = new Map<string, number>();
  /** Messages of our taken lists not in flight at the last beat: stranded if still there at the next. */
  private suspects = new Set<string>();

  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly options: ConsumeOptions,
    private readonly visibility: number,
    private readonly log: Logger,
  ) {
    // BLMOVE holds its connection: one of its own, retrying for ever while Redis is away.
    this.blocking = client.duplicate({ maxRetriesPerRequest: null });
    this.blocking.on("error", (error: Error) =>
      log.debug({ reason: error.message }, "Redis connection error"),
    );
  }

  private queues(): { queue: string; model: string }[] {
    return this.options.models.map((model) => ({ queue: `${this.prefix}${model}`, model }));
  }

  async start(): Promise<void> {
    // Redis away at start: the loops retry until it is back, as after any outage.
    await this.beat().catch((error: unknown) =>
      this.log.warn({ reason: String(error) }, "Redis consumer heartbeat failed, retrying"),
    );
    this.loops = [this.fetchLoop(), this.keepAliveLoop()];
  }

  async stop(): Promise<void> {
    if (this.stopped.signal.aborted) return;
    this.stopped.abort();
    this.slotFreed?.();
    await Promise.all(this.loops);
    if (this.running > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
    // Nothing is taken any more: leave without waiting for the visibility timeout.
    for (const { queue } of this.queues()) {
      const { taken, alive } = keys(queue, this.id);
      await this.client
        .multi()
        .srem(consumersKey(queue), this.id)
        .del(alive, taken)
        .exec()
        .catch(() => {});
    }
    this.blocking.disconnect();
  }

  /**
   * Marks this consumer alive, puts back what dead consumers had taken, and what our own
   * taken lists hold but nobody here processes: a BLMOVE whose answer was lost with its
   * connection moved a message that never reached us (seen at two beats in a row, to leave
   * alone one whose answer is on its way).
   */
  private async beat(): Promise<void> {
    const suspects = new Set<string>();
    for (const { queue } of this.queues()) {
      const { alive, taken: ours } = keys(queue, this.id);
      await this.client
        .multi()
        .sadd(consumersKey(queue), this.id)
        .set(alive, "1", "PX", this.visibility)
        .exec();
      for (const raw of await this.client.lrange(ours, 0, -1)) {
        if (this.inFlight.has(raw)) continue;
        if (!this.suspects.has(raw)) {
          suspects.add(raw);
          continue;
        }
        await this.client.multi().lrem(ours, 1, raw).rpush(queue, raw).exec();
        this.log.warn({ queue }, "put back a message whose delivery was lost with its connection");
      }
      for (const other of await this.client.smembers(consumersKey(queue))) {
        if (other === this.id || (await this.client.exists(keys(queue, other).alive))) continue;
        const taken = keys(queue, other).taken;
        let restored = 0;
        // Oldest taken first, onto the end BRPOP/BLMOVE reads next: delivered again at once.
        while (await this.client.lmove(taken, queue, "RIGHT", "RIGHT")) restored++;
        await this.client.srem(consumersKey(queue), other);
        if (restored > 0)
          this.log.warn({ queue, consumer: other, restored }, "put back a dead consumer's messages");
      }
    }
    this.suspects = suspects;
  }

  private async keepAliveLoop(): Promise<void> {
    let failing = false;
    while (!this.stopped.signal.aborted) {
      await pause(this.visibility / 3, this.stopped.signal);
      if (this.stopped.signal.aborted) return;
      try {
        await this.beat();
        failing = false;
      } catch (error) {
        if (!failing) this.log.warn({ reason: String(error) }, "Redis consumer heartbeat failed, retrying");
        failing = true;
      }
    }
  }

  private async fetchLoop(): Promise<void> {
    const queues = this.queues();
    let turn = 0;
    while (!this.stopped.signal.aborted) {
      if (this.running >= this.options.concurrency) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
        continue;
      }
      const source = queues[turn++ % queues.length];
      if (!source) return;
      const { taken } = keys(source.queue, this.id);
      try {
        // Blocks for at most a second, so a stop is noticed soon.
        const raw = await this.blocking.blmove(
          source.queue,
          taken,
          "RIGHT",
          "LEFT",
          queues.length > 1 ? 0.2 : 1,
        );
        if (this.failing) this.log.info({}, "Redis reachable again");
        this.failing = false;
        if (raw !== null) this.dispatch(source.queue, source.model, raw);
      } catch (error) {
        if (!this.failing)
          this.log.warn({ reason: String(error) }, "cannot take messages from Redis, retrying");
        this.failing = true;
        await pause(500, this.stopped.signal);
      }
    }
  }

  private dispatch(queue: string, model: string, raw: string): void {
    const { taken } = keys(queue, this.id);
    let task: DecodedTask | null = null;
    try {
      task = decodeEnvelope(raw, model);
    } catch {}
    if (!task) {
      this.log.warn({ queue, size: raw.length }, "dropped a message that is not a jobstar job");
      void this.client.lrem(taken, 1, raw).catch(() => {});
      return;
    }
    const delivery = task;
    this.running++;
    this.inFlight.set(raw, (this.inFlight.get(raw) ?? 0) + 1);
    void this.run(delivery)
      .then(
        () => this.client.lrem(taken, 1, raw),
        // Stopped before the claim reached the database: back onto the queue.
        () => this.client.multi().lrem(taken, 1, raw).rpush(queue, raw).exec(),
      )
      // Left in the taken list: put back after the visibility timeout; a duplicate is harmless.
      .catch(() => {})
      .finally(() => {
        const left = (this.inFlight.get(raw) ?? 1) - 1;
        if (left > 0) this.inFlight.set(raw, left);
        else this.inFlight.delete(raw);
        this.running--;
        if (this.running === 0) for (const resolve of this.idle) resolve();
        this.slotFreed?.();
        this.slotFreed = null;
      });
  }

  private async run(task: DecodedTask): Promise<void> {
    const wait = task.notBefore ? task.notBefore.getTime() - Date.now() : 0;
    if (wait > 0) {
      await pause(wait, this.stopped.signal);
      if (this.stopped.signal.aborted) throw new Error("stopping");
    }
    await this.options.process(task.message);
  }
}
