import amqp, { type ChannelModel, type ConfirmChannel } from "amqplib";
import { BrokerUnavailableError } from "../../errors.js";
import type { Logger } from "../../log/logger.js";
import { pause } from "../../store/transient.js";

/** Runs on every (re)connection: a consumer opens its channel and subscribes again. */
export type OnConnect = (connection: ChannelModel) => Promise<void>;

/** The longest wait between reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 5000;

/**
 * One AMQP connection that comes back by itself: when the broker goes away it reconnects
 * with backoff (100 ms doubling to 5 s) and runs every registered {@link OnConnect} again,
 * so consumers resubscribe. Publishing uses one confirm channel, opened on demand.
 */
export class AmqpConnection {
  private current: ChannelModel | null = null;
  private connecting: Promise<ChannelModel> | null = null;
  private confirm: Promise<ConfirmChannel> | null = null;
  private readonly subscribers = new Set<OnConnect>();
  private readonly closed = new AbortController();
  private down = false;
  /** Queues (or exchanges) declared on the current connection. */
  readonly declared = new Set<string>();

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  /** The live connection, connecting (and retrying with backoff) until there is one or the connection is closed. */
  connection(): Promise<ChannelModel> {
    if (this.current) return Promise.resolve(this.current);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /** The confirm channel for publishing, opened on demand. */
  confirmChannel(): Promise<ConfirmChannel> {
    if (!this.confirm) {
      const opening = this.connection().then(async (connection) => {
        const channel = await connection.createConfirmChannel();
        const reset = () => {
          if (this.confirm === opening) this.confirm = null;
          // Closed by the broker (e.g. a destination deleted since): declare again.
          this.declared.clear();
        };
        channel.on("error", (error: Error) => this.log.warn({ reason: error.message }, "AMQP channel error"));
        channel.on("close", reset);
        return channel;
      });
      opening.catch(() => {
        if (this.confirm === opening) this.confirm = null;
      });
      this.confirm = opening;
    }
    return this.confirm;
  }

  /** Registers `onConnect`, runs it now and after every reconnection; returns the unregister function. */
  async subscribe(onConnect: OnConnect): Promise<() => void> {
    this.subscribers.add(onConnect);
    await onConnect(await this.connection());
    return () => this.subscribers.delete(onConnect);
  }

  /** Whether `connection` is the live connection (not one lost since). */
  isCurrent(connection: ChannelModel): boolean {
    return this.current === connection;
  }

  /** Closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    this.closed.abort();
    const connection = this.current;
    this.current = null;
    await connection?.close().catch(() => {});
  }

  private async connect(): Promise<ChannelModel> {
    let delay = 100;
    for (;;) {
      if (this.closed.signal.aborted) throw new BrokerUnavailableError("the AMQP connection is closed");
      try {
        const connection = await amqp.connect(this.url, { timeout: 5000 });
        connection.on("error", (error: Error) =>
          this.log.warn({ reason: error.message }, "AMQP connection error"),
        );
        connection.on("close", () => this.lost(connection));
        this.current = connection;
        this.declared.clear();
        if (this.down) this.log.info({}, "AMQP broker reachable again");
        this.down = false;
        return connection;
      } catch (error) {
        if (!this.down)
          this.log.warn(
            { reason: String(error), retryInMs: delay },
            "cannot reach the AMQP broker, retrying",
          );
        this.down = true;
        await pause(delay, this.closed.signal);
        delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
      }
    }
  }

  private lost(connection: ChannelModel): void {
    if (this.current !== connection) return;
    this.current = null;
    this.confirm = null;
    if (this.closed.signal.aborted) return;
    this.log.warn({}, "AMQP connection lost; reconnecting");
    this.down = true;
    void this.resubscribe();
  }

  private async resubscribe(): Promise<void> {
    const connection = await this.connection().catch(() => null);
    if (!connection) return;
    for (const onConnect of this.subscribers) {
      await onConnect(connection).catch((error: unknown) => {
        this.log.warn(
          { reason: String(error) },
          "AMQP consumer could not resubscribe; retrying on reconnect",
        );
        // A half-open connection: drop it, so the next reconnection tries again.
        void connection.close().catch(() => {});
      });
    }
  }
}
