import type postgres from "postgres";
import { TASK_STATUSES, type TaskStatus } from "../model/task-status.js";
import { EVENTS_CHANNEL, type JobEvent } from "../store/queries/notify.js";

export type { JobEvent };

/** Receives each committed job event. */
export type EventListener = (event: JobEvent) => void;

/**
 * The process's one LISTEN connection, fanned out in memory. postgres.js reconnects
 * a dropped listener by itself; NOTIFYs sent while it was away are lost, so
 * `onReconnect` listeners re-read what they watch.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly reconnectListeners = new Set<() => void>();
  private subscription: Promise<{ unlisten(): Promise<void> }> | null = null;
  private connections = 0;

  constructor(private readonly sql: postgres.Sql) {}

  /** Starts listening (once); resolves when the LISTEN is in place. */
  start(): Promise<void> {
    this.subscription ??= this.sql.listen(
      EVENTS_CHANNEL,
      (payload) => this.dispatch(payload),
      () => {
        this.connections++;
        if (this.connections > 1) for (const listener of this.reconnectListeners) listener();
      },
    );
    return this.subscription.then(() => undefined);
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
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
    const subscription = this.subscription;
    this.subscription = null;
    this.listeners.clear();
    this.reconnectListeners.clear();
    if (subscription) await (await subscription).unlisten().catch(() => {});
  }

  private dispatch(payload: string): void {
    const event = parseEvent(payload);
    if (!event) return;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error("jobstar: an event listener threw", error);
      }
    }
  }
}

function parseEvent(payload: string): JobEvent | null {
  try {
    const value = JSON.parse(payload) as Partial<JobEvent>;
    if (
      typeof value.model === "string" &&
      typeof value.resourceId === "string" &&
      typeof value.revisionId === "string" &&
      TASK_STATUSES.includes(value.status as TaskStatus)
    ) {
      return value as JobEvent;
    }
  } catch {
    // not ours
  }
  return null;
}
