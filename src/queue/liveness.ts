import type postgres from "postgres";
import type { Logger } from "../log/logger.js";
import { appendLogLines, type LogLine } from "../store/queries/job-logs.js";
import { type LeaseKey, touchLeases } from "../store/queries/leases.js";
import { touchWorkers } from "../store/queries/workers.js";
import { outageReason } from "../store/transient.js";
import type { MessageQueue, RunSettings } from "./message-queue.js";

/** A running attempt held by this process, with the log lines it has not stored yet. */
export interface Lease extends LeaseKey {
  /** Lines logged by the handler since the last flush. */
  readonly logs: LogLine[];
  /** Called once when the attempt turns out to be no longer ours (cancelled, recovered). */
  lost(reason: Error): void;
}

/**
 * This process's signs of life, in one statement per heartbeat whatever the number of
 * running jobs: it stores the handlers' new log lines, touches the heartbeat of every
 * running attempt (telling the handlers of attempts taken from us to stop) and marks the
 * queue's consumers alive. A paused or dead process stops all of this at once, which is
 * how others tell that its jobs and queue entries must be recovered.
 */
export class Liveness {
  private readonly leases = new Map<string, Lease>();
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private failing = false;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly settings: RunSettings,
    private readonly queue: MessageQueue,
    private readonly log: Logger,
  ) {}

  /** Starts beating every `heartbeatInterval`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), this.settings.heartbeatInterval * 1000);
    this.timer.unref();
  }

  /** Holds `lease` until the returned release function is called. */
  hold(lease: Lease): () => void {
    const key = `${lease.resourceId}#${lease.attempt}`;
    this.leases.set(key, lease);
    return () => {
      if (this.leases.get(key) === lease) this.leases.delete(key);
    };
  }

  /** One heartbeat now (or joins the one under way). Never rejects. */
  beat(): Promise<void> {
    this.beating ??= this.beatOnce().finally(() => {
      this.beating = null;
    });
    return this.beating;
  }

  /** Stops beating (after the beat under way). Leases still held are simply no longer touched. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
  }

  private async beatOnce(): Promise<void> {
    const leases = [...this.leases.values()];
    const lines = leases.flatMap((lease) => lease.logs.splice(0));
    try {
      await appendLogLines(this.sql, lines);
    } catch (error) {
      // Kept for the next beat (or the finish), not lost.
      this.putBack(leases, lines);
      this.reportFailure(error);
      return;
    }
    try {
      const lost = await touchLeases(this.sql, leases);
      for (const lease of leases) {
        if (lost.has(lease.resourceId)) {
          this.leases.delete(`${lease.resourceId}#${lease.attempt}`);
          lease.lost(new LeaseLostError());
        }
      }
      await touchWorkers(this.sql, this.queue.liveConsumerIds());
      if (this.failing) this.log.info({}, "heartbeats are written again");
      this.failing = false;
    } catch (error) {
      this.reportFailure(error);
    }
  }

  private putBack(leases: Lease[], lines: LogLine[]): void {
    for (const line of lines.reverse()) {
      const lease = leases.find((l) => l.resourceId === line.resourceId);
      lease?.logs.unshift(line);
    }
  }

  private reportFailure(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.log.warn(
      { reason: outageReason(error), retryEverySeconds: this.settings.heartbeatInterval },
      "heartbeat failed, retrying",
    );
  }
}

/** The attempt was taken from this worker: cancelled, recovered elsewhere, or re-run. */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
  constructor() {
    super("the job is no longer running here (cancelled or recovered)");
  }
}
