/**
 * Retention: finished jobs older than a configured age are deleted, with their revisions
 * and logs, by every jobstar process on a timer, in bounded batches.
 */
import type { Logger } from "../log/logger.js";
import type { Database } from "../store/database.js";
import { pruneFinished } from "../store/queries/prune.js";
import { outageReason } from "../store/transient.js";

/** How long finished jobs are kept. Off unless `finishedAfterDays` is set. */
export interface RetentionOptions {
  /**
   * Delete a completed, failed or cancelled job (with its revisions and logs) once it has
   * not changed for this many days (fractions allowed). Default: none; jobs are kept forever.
   */
  finishedAfterDays?: number;
  /** Jobs deleted per statement (and transaction). Default: 500. */
  batchSize?: number;
  /** How often each process prunes, in seconds. Default: 300. */
  intervalSeconds?: number;
  /** Batches per model in one prune, so that one run stays short. Default: 100. */
  maxBatches?: number;
}

/** Throws a RangeError naming the first option out of range. */
export function checkRetention(options: RetentionOptions): void {
  const { finishedAfterDays, batchSize, intervalSeconds, maxBatches } = options;
  if (finishedAfterDays !== undefined && !(finishedAfterDays > 0))
    throw new RangeError("retention.finishedAfterDays must be > 0");
  for (const [name, value] of Object.entries({ batchSize, maxBatches })) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw new RangeError(`retention.${name} must be an integer >= 1`);
  }
  if (intervalSeconds !== undefined && !(intervalSeconds > 0))
    throw new RangeError("retention.intervalSeconds must be > 0");
}

/** What one prune did. */
export interface PruneResult {
  /** Jobs deleted. */
  deleted: number;
  /** DELETE statements run. */
  batches: number;
}

/**
 * Prunes on a timer (`intervalSeconds`). Several processes prune at once safely: each
 * batch locks the rows it deletes and skips rows locked by another.
 */
export class Pruner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PruneResult> | null = null;
  private readonly days: number;
  private readonly batchSize: number;
  private readonly maxBatches: number;

  constructor(
    private readonly database: Database,
    private readonly models: () => string[],
    private readonly options: RetentionOptions,
    private readonly logger: Logger,
  ) {
    checkRetention(options);
    this.days = options.finishedAfterDays ?? Number.POSITIVE_INFINITY;
    this.batchSize = options.batchSize ?? 500;
    this.maxBatches = options.maxBatches ?? 100;
  }

  /** Whether retention is on (a `finishedAfterDays` was given). */
  get enabled(): boolean {
    return Number.isFinite(this.days);
  }

  /** Starts the timer (if retention is on). */
  start(): void {
    if (!this.enabled || this.timer) return;
    this.timer = setInterval(() => void this.prune(), (this.options.intervalSeconds ?? 300) * 1000);
    this.timer.unref();
  }

  /** Stops the timer, after the prune under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One prune now (or the one under way); a failure is logged and counts nothing. */
  prune(): Promise<PruneResult> {
    if (!this.enabled) return Promise.resolve({ deleted: 0, batches: 0 });
    this.running ??= this.pruneOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pruneOnce(): Promise<PruneResult> {
    const result: PruneResult = { deleted: 0, batches: 0 };
    const before = new Date(Date.now() - this.days * 86_400_000);
    try {
      for (const model of this.models()) {
        for (let batch = 0; batch < this.maxBatches; batch++) {
          const deleted = await pruneFinished(this.database.db, model, before, this.batchSize);
          result.batches++;
          result.deleted += deleted;
          if (deleted < this.batchSize) break;
        }
      }
      if (result.deleted > 0)
        this.logger.info({ ...result, before: before.toISOString() }, "pruned finished jobs");
    } catch (error) {
      this.logger.warn({ reason: outageReason(error), ...result }, "pruning failed, will retry");
    }
    return result;
  }
}
