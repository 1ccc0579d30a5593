import type postgres from "postgres";
import { BrokerUnavailableError } from "../../errors.js";
import type { Logger } from "../../log/logger.js";
import { outageReason, pause } from "../../store/transient.js";
import type { QueueMessage } from "../message-queue.js";
import { deleteRows, nextDueIn, OUTBOX_CHANNEL, type OutboxRow, takeDueRows } from "./outbox.js";

/** Publishes messages and resolves once the broker has confirmed every one of them. */
export type Publish = (messages: QueueMessage[]) => Promise<void>;

/** Options of {@link OutboxRelay}. */
export interface RelayOptions {
  /** Look for due rows at least this often (ms), besides NOTIFY wake-ups. Default: 1000. */
  pollInterval?: number;
  /** Rows published per transaction. Default: 200. */
  batchSize?: number;
  /** A publish not confirmed within this (ms) is given up and retried. Default: 10000. */
  publishTimeout?: number;
}

/** The longest wait between retries while the broker (or the database) is away. */
const MAX_BACKOFF_MS = 5000;

/**
 * Moves one queue's due outbox rows to its broker: in a transaction it locks due rows
 * (`skip locked`, so relays of other processes take other rows), publishes them, waits for
 * the broker's confirms, deletes them and commits. A failed publish rolls back, so the rows
 * stay and are tried again with backoff: nothing committed is lost while the broker is
 * down. A relay runs in every process that opened the queue (API servers too). It wakes on
 * the NOTIFY of each insert, at the next due row's time, and at least every `pollInterval`.
 */
export class OutboxRelay {
  private readonly stopped = new AbortController();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private running: Promise<void> | null = null;
  private listener: postgres.ListenMeta | null = null;
  private failing = false;
  private readonly pollInterval: number;
  private readonly batchSize: number;
  private readonly publishTimeout: number;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly queue: string,
    private readonly publish: Publish,
    private readonly log: Logger,
    options: RelayOptions = {},
  ) {
    this.pollInterval = options.pollInterval ?? 1000;
    this.batchSize = options.batchSize ?? 200;
    this.publishTimeout = options.publishTimeout ?? 10_000;
    if (
      !(this.pollInterval > 0) ||
      !(this.publishTimeout > 0) ||
      !(Number.isInteger(this.batchSize) && this.batchSize > 0)
    )
      throw new RangeError("pollInterval and publishTimeout must be > 0, batchSize an integer > 0");
  }

  /** Starts relaying; the LISTEN is in place when this resolves (without it, the poll still runs). Never rejects. */
  async start(): Promise<void> {
    if (this.running) return;
    try {
      this.listener = await this.sql.listen(
        OUTBOX_CHANNEL,
        (payload) => {
          if (payload === this.queue) this.wake();
        },
        // After a reconnect, rows inserted meanwhile were never announced: look now.
        () => this.wake(),
      );
    } catch (error) {
      this.log.warn(
        { queue: this.queue, reason: outageReason(error) },
        "outbox relay polls only: LISTEN failed",
      );
    }
    this.running = this.loop();
  }

  /** Looks for due rows now. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops after the pass under way (its rows are published and deleted, or left for later). */
  async stop(): Promise<void> {
    this.stopped.abort();
    this.wakeUp?.();
    await this.running;
    this.running = null;
    await this.listener?.unlisten().catch(() => {});
    this.listener = null;
  }

  private async loop(): Promise<void> {
    let backoff = 100;
    while (!this.stopped.signal.aborted) {
      this.woken = false;
      let wait: number;
      try {
        const relayed = await this.relayOnce();
        if (this.failing) this.log.info({ queue: this.queue }, "outbox relay works again");
        this.failing = false;
        backoff = 100;
        if (relayed === this.batchSize) continue;
        const due = await nextDueIn(this.sql, this.queue);
        wait = Math.min(this.pollInterval, due ?? this.pollInterval);
      } catch (error) {
        if (!this.failing)
          this.log.warn(
            { queue: this.queue, reason: outageReason(error) },
            "outbox relay cannot publish; the messages wait in the outbox, retrying",
          );
        this.failing = true;
        wait = backoff;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      if (!this.woken || this.failing) await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.wakeUp = null;
        resolve();
      };
      this.wakeUp = this.failing ? null : done;
      void pause(ms, this.stopped.signal).then(done);
    });
  }

  /** One transaction: lock due rows, publish them, delete them. Returns how many. */
  private async relayOnce(): Promise<number> {
    return this.sql.begin(async (tx) => {
      const rows = await takeDueRows(tx, this.queue, this.batchSize);
      if (rows.length === 0) return 0;
      await this.withTimeout(this.publish(rows.map(toMessage)));
      await deleteRows(
        tx,
        rows.map((row) => row.id),
      );
      return rows.length;
    });
  }

  private async withTimeout(publishing: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new BrokerUnavailableError(`the broker did not confirm within ${this.publishTimeout} ms`)),
        this.publishTimeout,
      );
    });
    try {
      await Promise.race([publishing, timeout]);
    } finally {
      clearTimeout(timer);
      // A late rejection of a publish given up on is of no interest any more.
      publishing.catch(() => {});
    }
  }
}

function toMessage(row: OutboxRow): QueueMessage {
  // (postgres.js may hand timestamps over as text.)
  return { model: row.model, resourceId: row.resourceId, attempt: row.attempt, runAt: new Date(row.runAt) };
}
