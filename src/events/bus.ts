import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { TASK_STATUSES, type TaskStatus } from "../model/task-status.js";
import { CONNECTION_OPTIONS } from "../store/database.js";
import { EVENTS_CHANNEL, type JobEvent } from "../store/queries/notify.js";

export type { JobEvent };

/** Receives each committed job event. */
export type EventListener = (event: JobEvent) => void;

/** Which events a listener wants: those of one job, or of one model (by name); default all. */
export interface EventFilter {
  resourceId?: string;
  model?: string;
}

/** Options of {@link EventBus}. */
export interface EventBusOptions {
  /**
   * How often (ms) the bus proves its LISTEN connection alive by notifying itself, and
   * how long it waits for that notification before replacing the connection. Default: 5000.
   */
  checkInterval?: number;
}

/**
 * The process's one LISTEN connection, fanned out in memory. postgres.js re-listens
 * after a dropped connection, but only once; the bus also notifies itself every
 * `checkInterval` and, when that goes unheard, replaces the connection (retrying until
 * the database answers). NOTIFYs sent while it was away are lost, so `onReconnect`
 * listeners re-read what they watch.
 */
export class EventBus {
  // Listeners indexed by what they watch, so that an event costs its own listeners only,
  // not one call per subscription in the process.
  private readonly listeners = new Set<EventListener>();
  private readonly byResource = new Map<string, Set<EventListener>>();
  private readonly byModel = new Map<string, Set<EventListener>>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly pingChannel = `jobstar_ping_${randomUUID().replaceAll("-", "")}`;
  private readonly checkInterval: number;
  private readonly pongs = new Map<string, () => void>();
  private client: postgres.Sql | null = null;
  private started: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  private closed = false;

  constructor(
    private readonly url: string,
    options: EventBusOptions = {},
  ) {
    this.checkInterval = options.checkInterval ?? 5000;
  }

  /** Starts listening (once); resolves when the LISTEN is in place. */
  start(): Promise<void> {
    this.started ??= this.connect().then(() => {
      this.timer = setInterval(() => void this.check(), this.checkInterval);
      this.timer.unref();
    });
    return this.started;
  }

  /** Calls `listener` with every event (of `filter`) from now on; returns the unsubscribe function. */
  subscribe(listener: EventListener, filter: EventFilter = {}): () => void {
    if (filter.resourceId !== undefined) return addTo(this.byResource, filter.resourceId, listener);
    if (filter.model !== undefined) return addTo(this.byModel, filter.model, listener);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` after the listening connection came back from a drop. */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** Stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.listeners.clear();
    this.byResource.clear();
    this.byModel.clear();
    this.reconnectListeners.clear();
    const client = this.client;
    this.client = null;
    await client?.end({ timeout: 1 }).catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = postgres(this.url, { ...CONNECTION_OPTIONS, max: 1 });
    let listens = 0;
    try {
      await client.listen(
        EVENTS_CHANNEL,
        (payload) => this.dispatch(payload),
        () => {
          // The first LISTEN is ours; later ones are postgres.js's re-listen after a drop.
          if (listens++ > 0) this.reconnected();
        },
      );
      await client.listen(this.pingChannel, (nonce) => this.pongs.get(nonce)?.());
    } catch (error) {
      await client.end({ timeout: 0 }).catch(() => {});
      throw error;
    }
    if (this.closed) {
      await client.end({ timeout: 0 }).catch(() => {});
      return;
    }
    this.client = client;
  }

  /** Notifies itself; if that is not heard within `checkInterval`, replaces the connection. */
  private async check(): Promise<void> {
    const client = this.client;
    if (this.checking || this.closed || !client) return;
    this.checking = true;
    try {
      const nonce = randomUUID();
      const heard = new Promise<boolean>((resolve) => {
        const timeout = setTimeout(() => resolve(false), this.checkInterval);
        this.pongs.set(nonce, () => {
          clearTimeout(timeout);
          resolve(true);
        });
      });
      const sent = await client`select pg_notify(${this.pingChannel}, ${nonce})`.then(
        () => true,
        () => false,
      );
      const alive = sent && (await heard);
      this.pongs.delete(nonce);
      if (!alive) await this.replace(client);
    } finally {
      this.checking = false;
    }
  }

  private async replace(stale: postgres.Sql): Promise<void> {
    this.client = null;
    await stale.end({ timeout: 0 }).catch(() => {});
    for (let delay = 100; !this.closed; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.connect();
        this.reconnected();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private reconnected(): void {
    if (this.closed) return;
    for (const listener of this.reconnectListeners) listener();
  }

  private dispatch(payload: string): void {
    const event = parseEvent(payload);
    if (!event) return;
    for (const listeners of [
      this.listeners,
      this.byResource.get(event.resourceId),
      this.byModel.get(event.model),
    ]) {
      if (!listeners) continue;
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          console.error("jobstar: an event listener threw", error);
        }
      }
    }
  }
}

function addTo(index: Map<string, Set<EventListener>>, key: string, listener: EventListener): () => void {
  const set = index.get(key) ?? new Set<EventListener>();
  index.set(key, set);
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0 && index.get(key) === set) index.delete(key);
  };
}

function parseEvent(payload: string): JobEvent | null {
  try {
    const value = JSON.parse(payload) as Partial<JobEvent>;
    if (
      typeof value.model === "string" &&
      typeof value.resourceId === "string" &&
      typeof value.revisionId === "string" &&
      TASK_STATUSES.includes(value.status as TaskStatus) &&
      (value.at === undefined || typeof value.at === "number")
    ) {
      return value as JobEvent;
    }
  } catch {
    // not ours
  }
  return null;
}
