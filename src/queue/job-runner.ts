import { inspect } from "node:util";
import type { ValidationError } from "../errors.js";
import type { EventBus } from "../events/bus.js";
import { DelayRetry, type HandlerContext, NoRetry } from "../model/handler.js";
import { hydrate, type JobData } from "../model/job.js";
import type { RegisteredModel } from "../model/registration.js";
import { TaskStatus } from "../model/task-status.js";
import { parseWith } from "../model/validate.js";
import type { LogLevel } from "../resource/types.js";
import type { Database } from "../store/database.js";
import { appendRevision } from "../store/queries/append-revision.js";
import { lockResourceRow } from "../store/queries/get-resource.js";
import { touchHeartbeat } from "../store/queries/heartbeat.js";
import { appendLogs, type LogLine } from "../store/queries/job-logs.js";
import { type ResourceRow, type RevisionRow, toRevisionInfo } from "../store/queries/rows.js";
import { findStaleJobs } from "../store/queries/stale-jobs.js";
import { inUnitOfWork, type UnitOfWork } from "../store/unit-of-work.js";
import type { Delivery, MessageQueue, QueueMessage, RunSettings } from "./message-queue.js";
import { nextState, type RunOutcome } from "./transitions.js";

/** What the run loop needs. */
export interface JobRunnerDeps {
  database: Database;
  queue: MessageQueue;
  events: EventBus;
  settings: RunSettings;
  model: RegisteredModel;
}

interface Claim {
  resourceId: string;
  revision: RevisionRow;
}

/** `updatedBy` of what a worker writes; recovery reads the worker id back from it. */
const WORKER_PREFIX = "worker:";

/**
 * The run loop of one model: claim (a draft PROCESSING revision), run the handler
 * with heartbeats, cancellation and timeout, then finish (a stable revision) and
 * re-enqueue when the outcome asks for it. Every step is its own transaction on a
 * locked row, so a duplicate or late delivery changes nothing.
 */
export class JobRunner {
  /** The abort controllers of the handlers running now. */
  private readonly running = new Set<AbortController>();

  constructor(private readonly deps: JobRunnerDeps) {}

  /**
   * Aborts every running handler because this worker is shutting down: their jobs go
   * back to PENDING without spending a retry, for another worker (or a restart) to run.
   */
  abortRunning(): void {
    for (const controller of this.running)
      controller.abort(new ShutdownError("the worker shut down during the run"));
  }

  /** Processes one delivery. Rejects only when the database could not record the outcome. */
  async process(message: QueueMessage, delivery: Delivery): Promise<void> {
    const claim = await this.claim(message.resourceId, delivery.workerId);
    if (!claim) return;
    const outcome = await this.execute(claim);
    await this.finish(claim, outcome);
  }

  /** Recovers this model's PROCESSING jobs whose worker stopped sending heartbeats. */
  async recoverStale(now = new Date()): Promise<number> {
    const { database, settings, model } = this.deps;
    const threshold = new Date(now.getTime() - settings.staleAfter * 1000);
    let recovered = 0;
    for (const resourceId of await findStaleJobs(database.db, [model.schema.key], threshold)) {
      const done = await inUnitOfWork(database.db, async (unit) => {
        const row = await lockResourceRow(unit.tx, model.schema.key, resourceId);
        if (
          !row ||
          row.status !== TaskStatus.PROCESSING ||
          !row.lastHeartbeatAt ||
          row.lastHeartbeatAt >= threshold
        ) {
          return false;
        }
        if (row.updatedBy.startsWith(WORKER_PREFIX)) {
          await this.deps.queue.releaseWorkers(unit, [row.updatedBy.slice(WORKER_PREFIX.length)]);
        }
        const message = `worker lost: no heartbeat since ${row.lastHeartbeatAt.toISOString()}`;
        await this.transition(unit, row, { kind: "error", message, final: false }, "jobstar:recovery", now);
        return true;
      });
      if (done) recovered++;
    }
    return recovered;
  }

  private claim(resourceId: string, workerId: string): Promise<Claim | null> {
    const { database, model } = this.deps;
    return inUnitOfWork(database.db, async (unit) => {
      const row = await lockResourceRow(unit.tx, model.schema.key, resourceId);
      if (!row || row.isDeleted || row.status !== TaskStatus.PENDING) return null;
      const now = new Date();
      const data: JobData = {
        ...row.data,
        status: TaskStatus.PROCESSING,
        lastHeartbeatAt: now.toISOString(),
      };
      const { revision } = await appendRevision(unit.tx, row, model.schema.name, {
        data,
        status: "draft",
        user: `${WORKER_PREFIX}${workerId}`,
        onBehalfOf: row.createdBy,
        now,
      });
      return { resourceId, revision };
    });
  }

  private async execute(claim: Claim): Promise<RunOutcome> {
    const { database, events, settings, model } = this.deps;
    const handler = model.handler;
    if (!handler) return { kind: "error", message: `no handler for ${model.schema.name}`, final: true };

    const controller = new AbortController();
    this.running.add(controller);
    const logs: LogLine[] = [];
    const flushLogs = () => appendLogs(database.db, logs.splice(0));
    const artifact: { set: boolean; value: unknown } = { set: false, value: undefined };

    const heartbeat = async () => {
      await flushLogs();
      const current = await touchHeartbeat(
        database.db,
        claim.resourceId,
        claim.revision.revisionId,
        new Date(),
      );
      if (!current) controller.abort(new Error("the job is no longer running here (cancelled or recovered)"));
    };
    const context: HandlerContext = {
      signal: controller.signal,
      run: claim.revision.number,
      log: (message: string, level: LogLevel = "info") => {
        logs.push({
          resourceId: claim.resourceId,
          run: claim.revision.number,
          time: new Date(),
          level,
          message,
        });
      },
      setArtifact: (value: unknown) => {
        artifact.set = true;
        artifact.value = value;
      },
      heartbeat,
    };
    const stopWatching = events.subscribe((event) => {
      if (event.resourceId === claim.resourceId && event.status === TaskStatus.CANCELLED) {
        controller.abort(new Error("cancelled"));
      }
    });
    const beating = setInterval(() => heartbeat().catch(() => {}), settings.heartbeatInterval * 1000);
    const timeout =
      model.timeoutSeconds === null
        ? null
        : setTimeout(
            () => controller.abort(new TimeoutError(`timed out after ${model.timeoutSeconds}s`)),
            model.timeoutSeconds * 1000,
          );

    const job = {
      info: toRevisionInfo(claim.revision),
      data: hydrate(model.schema.model, claim.revision.data),
    };
    try {
      const result = await Promise.race([
        Promise.resolve().then(() => handler(job, context)),
        new Promise<never>((_, reject) => {
          controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
        }),
      ]);
      const value = artifact.set
        ? artifact.value
        : result && typeof result === "object" && "artifact" in result
          ? result.artifact
          : job.data.artifact;
      return this.validateArtifact(value, result === false);
    } catch (error) {
      return classify(error);
    } finally {
      this.running.delete(controller);
      clearInterval(beating);
      if (timeout) clearTimeout(timeout);
      stopWatching();
      await flushLogs().catch(() => {});
    }
  }

  private validateArtifact(value: unknown, stopPeriodic: boolean): RunOutcome {
    const schema = this.deps.model.schema.model.artifactSchema;
    if (!schema || value === null || value === undefined)
      return { kind: "success", artifact: value ?? null, stopPeriodic };
    try {
      return {
        kind: "success",
        artifact: parseWith(schema, value, "artifact", "invalid artifact"),
        stopPeriodic,
      };
    } catch (error) {
      return { kind: "error", message: (error as ValidationError).message, final: true };
    }
  }

  private finish(claim: Claim, outcome: RunOutcome): Promise<void> {
    const { database, model } = this.deps;
    return inUnitOfWork(database.db, async (unit) => {
      const row = await lockResourceRow(unit.tx, model.schema.key, claim.resourceId);
      // Cancelled, recovered or re-run while we worked: that newer state wins.
      if (!row || row.currentRevisionId !== claim.revision.revisionId || row.status !== TaskStatus.PROCESSING)
        return;
      await this.transition(unit, row, outcome, row.updatedBy, new Date());
    });
  }

  private async transition(
    unit: UnitOfWork,
    row: ResourceRow,
    outcome: RunOutcome,
    user: string,
    now: Date,
  ): Promise<void> {
    const { settings, model, queue } = this.deps;
    const next = nextState(row.data, outcome, settings, now);
    await appendRevision(unit.tx, row, model.schema.name, {
      data: next.data,
      status: "stable",
      user,
      onBehalfOf: row.createdBy,
      now,
    });
    if (next.runAt)
      await queue.enqueue(unit, { model: model.schema.key, resourceId: row.resourceId, runAt: next.runAt });
  }
}

class TimeoutError extends Error {
  override readonly name = "TimeoutError";
}

class ShutdownError extends Error {
  override readonly name = "ShutdownError";
}

function classify(error: unknown): RunOutcome {
  if (error instanceof ShutdownError) return { kind: "delay", seconds: 0, message: error.message };
  if (error instanceof DelayRetry) return { kind: "delay", seconds: error.seconds, message: error.message };
  if (error instanceof NoRetry) return { kind: "error", message: error.message, final: true };
  if (error instanceof Error) return { kind: "error", message: error.message || error.name, final: false };
  return { kind: "error", message: `handler threw a non-Error value: ${inspect(error)}`, final: false };
}
