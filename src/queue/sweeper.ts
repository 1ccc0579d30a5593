import { and, eq, lt } from "drizzle-orm";
import type { Logger } from "../log/logger.js";
import type { RegisteredModel } from "../model/registration.js";
import type { Database } from "../store/database.js";
import { staleCutoffSql } from "../store/queries/leases.js";
import { findIdlePartitionHeads } from "../store/queries/partition-heads.js";
import { findStaleJobs } from "../store/queries/stale-jobs.js";
import { resources } from "../store/tables.js";
import { outageReason } from "../store/transient.js";
import { inUnitOfWork } from "../store/unit-of-work.js";
import type { MessageQueue, RunSettings } from "./message-queue.js";
import { toMessage } from "./partitions.js";
import { recordOutcome } from "./record-outcome.js";

/** What the sweeper needs. */
export interface SweeperDeps {
  database: Database;
  queue: MessageQueue;
  settings: RunSettings;
  /** The models this process knows (it recovers their jobs). */
  models: () => RegisteredModel[];
  logger: Logger;
}

/** The user recorded on a recovery's revision. */
export const RECOVERY_USER = "jobstar:recovery";

/**
 * Runs in every live jobstar process (API servers included), twice per `heartbeatInterval`:
 * releases the queue entries held by consumers that stopped beating, and recovers the
 * PROCESSING jobs whose heartbeat is older than `staleAfter` (a retry spent, as SpecStar
 * does). Several sweepers at once are safe: each job is locked `skip locked` and
 * re-checked, and a recovery acts only on the attempt it found stale.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<SweepResult> | null = null;
  private failing = false;

  constructor(private readonly deps: SweeperDeps) {}

  /** Sweeps every half `heartbeatInterval`: a job is recovered at most that long after it turned stale. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep(), this.deps.settings.heartbeatInterval * 500);
    this.timer.unref();
  }

  /** Stops sweeping (after the sweep under way). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  /** One sweep now (or the one under way). Never rejects: a failure is logged and counts nothing. */
  sweep(): Promise<SweepResult> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<SweepResult> {
    const { queue, settings, logger: log } = this.deps;
    try {
      const released = await queue.releaseDead(settings.staleAfter);
      const recovered = await this.recoverStale();
      const resumed = await this.resumePartitions();
      if (resumed > 0) log.info({ partitions: resumed }, "re-enqueued the next jobs of idle partitions");
      if (released > 0) log.warn({ workers: released }, "released the queue entries of dead workers");
      if (this.failing) log.info({}, "sweeping works again");
      this.failing = false;
      return { released, recovered };
    } catch (error) {
      if (!this.failing) log.warn({ reason: outageReason(error) }, "sweep failed, will retry");
      this.failing = true;
      return { released: 0, recovered: 0 };
    }
  }

  /**
   * The safety net of serial partitions: a partition's next job is enqueued when its
   * running job ends, in the same transaction, but a parked delivery can race with that
   * hand-over (the claim saw the job running, the finish did not yet see the new job). A
   * partition that runs nothing and whose next job has been due for `staleAfter` gets
   * that job enqueued again, at its due time so that it keeps its place in the queue.
   */
  private async resumePartitions(): Promise<number> {
    const { database, settings, queue } = this.deps;
    const models = this.deps.models().map((model) => model.schema.key);
    const heads = await findIdlePartitionHeads(database.sql, models, settings.staleAfter);
    if (heads.length === 0) return 0;
    await inUnitOfWork(database.db, (unit) =>
      queue.enqueueMany(
        unit,
        heads.map((head) => toMessage(head)),
      ),
    );
    return heads.length;
  }

  private async recoverStale(): Promise<number> {
    const { database, settings } = this.deps;
    const models = new Map(this.deps.models().map((model) => [model.schema.key, model]));
    let recovered = 0;
    for (const resourceId of await findStaleJobs(database.sql, [...models.keys()], settings.staleAfter)) {
      const done = await inUnitOfWork(database.db, async (unit) => {
        const [row] = await unit.tx
          .select()
          .from(resources)
          .where(
            and(
              eq(resources.resourceId, resourceId),
              eq(resources.status, "processing"),
              lt(resources.lastHeartbeatAt, staleCutoffSql(settings.staleAfter)),
            ),
          )
          .for("update", { skipLocked: true });
        const model = row && models.get(row.model);
        if (!row || !model) return false;
        const since = row.lastHeartbeatAt?.toISOString() ?? "its claim";
        await recordOutcome(
          unit,
          row,
          { kind: "error", message: `worker lost: no heartbeat since ${since}`, final: false },
          { modelName: model.schema.name, settings, queue: this.deps.queue, user: RECOVERY_USER },
        );
        this.deps.logger.warn(
          { resourceId: row.resourceId, attempt: row.attempt, since },
          "recovered a job whose worker stopped beating (a retry spent)",
        );
        return true;
      });
      if (done) recovered++;
    }
    return recovered;
  }
}

/** What one sweep did. */
export interface SweepResult {
  /** Dead consumers whose queue entries were released. */
  released: number;
  /** Stale jobs recovered. */
  recovered: number;
}
