import { inspect } from "node:util";
import type { ValidationError } from "../errors.js";
import type { EventBus } from "../events/bus.js";
import type { Logger } from "../log/logger.js";
import { DelayRetry, type HandlerContext, NoRetry } from "../model/handler.js";
import { hydrate, type JobData } from "../model/job.js";
import type { RegisteredModel } from "../model/registration.js";
import { TaskStatus } from "../model/task-status.js";
import { parseWith } from "../model/validate.js";
import { inSpan } from "../observability/tracing.js";
import type { LogLevel } from "../resource/types.js";
import type { Database } from "../store/database.js";
import { lockResourceRow } from "../store/queries/get-resource.js";
import { toRevisionInfo } from "../store/queries/rows.js";
import { type Transition, writeTransitions } from "../store/queries/write-transitions.js";
import { jobLogs } from "../store/tables.js";
import { isTransient, outageReason, pause } from "../store/transient.js";
import { inUnitOfWork } from "../store/unit-of-work.js";
import { Batcher } from "./batcher.js";
import { type Claim, Claims } from "./claims.js";
import type { Lease, Liveness } from "./liveness.js";
import type { MessageQueue, QueueMessage, RunSettings } from "./message-queue.js";
import { enqueuePartitionHeads } from "./partitions.js";
import { recordOutcome } from "./record-outcome.js";
import { nextState, type RunOutcome } from "./transitions.js";

/** What the run loop needs. */
export interface JobRunnerDeps {
  database: Database;
  queue: MessageQueue;
  events: EventBus;
  settings: RunSettings;
  model: RegisteredModel;
  liveness: Liveness;
  /** This process's worker id: recorded as `worker:<id>` on what its runs write. */
  workerId: string;
  logger: Logger;
}

/** A finished handler's outcome, and the lease that stays held until it is recorded. */
interface Run {
  outcome: RunOutcome;
  lease: Lease;
  release: () => void;
}

let deliveries = 0;

/**
 * How long a busy runner lets finishes gather before writing them. They are off the
 * handlers' path (a slot is free at handler end), so waiting costs no throughput, and a
 * few large statements leave the database to the claims that handlers do wait for:
 * measured 0.69 -> 0.79 of raw graphile-worker's rate at concurrency 8. An idle runner
 * writes a lone finish at once.
 */
const ENDING_LINGER_MS = 10;

/**
 * The run loop of one model. The job's row is the one authority on who runs it: a
 * claim takes the PENDING state whose attempt token the message carries (a draft
 * PROCESSING revision, the token bumped, a lease on this worker); heartbeats, the
 * finish (a stable revision) and any recovery each act only while the token still
 * matches. So a stale, duplicate or late delivery, or a worker that wakes up after its
 * job was recovered, changes nothing. Steps that cannot reach the database wait for it
 * and retry: an outcome is kept until it is recorded.
 */
export class JobRunner {
  /** The abort controllers of the handlers running now. */
  private readonly running = new Set<AbortController>();
  private readonly stopping = new AbortController();
  /** Outcomes being recorded. */
  private readonly recording = new Set<Promise<void>>();
  /** Claims of concurrent deliveries, written together. */
  private readonly claims: Claims;
  /** Finishes that end their job, written together: one statement a batch. */
  private readonly endings: Batcher<Transition, boolean>;

  constructor(private readonly deps: JobRunnerDeps) {
    this.claims = new Claims(deps);
    this.endings = new Batcher((transitions) => this.writeEndings(transitions), {
      lingerMs: ENDING_LINGER_MS,
    });
  }

  /**
   * Aborts every running handler because this worker is shutting down: their jobs go
   * back to PENDING without spending a retry, for another worker (or a restart) to run.
   */
  abortRunning(): void {
    this.stopping.abort();
    for (const controller of this.running)
      controller.abort(new ShutdownError("the worker shut down during the run"));
  }

  /** Processes one delivery; see {@link ConsumeOptions.process} for when it rejects. */
  async process(message: QueueMessage): Promise<void> {
    const leasedBy = `${this.deps.workerId}#${++deliveries}`;
    const model = this.deps.model.schema.name;
    const attributes = { "jobstar.model": model, "jobstar.resource_id": message.resourceId };
    // One span per delivery (`jobstar.run`), with the claim, the handler and the finish in it.
    await inSpan(`jobstar.run ${model}`, attributes, async (span) => {
      const claim = await inSpan("jobstar.claim", attributes, () =>
        this.persist("claim", () => this.claims.claim(message, leasedBy), "on-stop-throw"),
      );
      span.setAttribute("jobstar.claimed", claim !== null);
      if (!claim) return;
      span.setAttribute("jobstar.attempt", claim.attempt);
      const run = await inSpan("jobstar.handler", attributes, async (handlerSpan) => {
        const result = await this.execute(claim);
        handlerSpan.setAttribute("jobstar.outcome", result.outcome.kind);
        return result;
      });
      // The slot is free once the handler is done: the outcome is recorded in the
      // background (batched with other finishes) while this consumer takes its next
      // message. The lease stays held, and heartbeats go on, until it is recorded; a crash
      // before then leaves a PROCESSING job that is recovered like any dead worker's.
      const recording = inSpan("jobstar.finish", attributes, () => this.finish(claim, run)).finally(() =>
        this.recording.delete(recording),
      );
      this.recording.add(recording);
    });
  }

  /**
   * Reads the jobs of messages the queue will deliver soon, so that their claims are one
   * statement each batch (see {@link Claims.readAhead}).
   */
  readAhead(messages: QueueMessage[]): void {
    this.claims.readAhead(messages);
  }

  /** Waits until the outcome of every run this runner finished is recorded (or given up on). */
  async drain(): Promise<void> {
    while (this.recording.size > 0) await Promise.all(this.recording);
  }

  /**
   * Writes finishes that end their jobs: one statement; and for jobs of partitions, in
   * the same transaction, the partitions' next jobs enqueued (see queue/partitions.ts).
   */
  private async writeEndings(transitions: Transition[]): Promise<boolean[]> {
    const { database, queue, model } = this.deps;
    const partitioned = transitions.some((t) => t.data.partitionKey !== null);
    if (!partitioned) {
      return (await writeTransitions(database.sql, transitions)).map((revision) => revision !== null);
    }
    return inUnitOfWork(database.db, async (unit) => {
      const written = await writeTransitions(unit.sql, transitions);
      const keys = transitions.flatMap((t, i) =>
        written[i] && t.data.partitionKey !== null ? [t.data.partitionKey] : [],
      );
      await enqueuePartitionHeads(unit, queue, model.schema.key, keys);
      return written.map((revision) => revision !== null);
    });
  }

  private async execute(claim: Claim): Promise<Run> {
    const { events, liveness, model } = this.deps;
    const controller = new AbortController();
    this.running.add(controller);
    const artifact: { set: boolean; value: unknown } = { set: false, value: undefined };
    const lease: Lease = {
      resourceId: claim.resourceId,
      attempt: claim.attempt,
      logs: [],
      lost: (reason) => controller.abort(reason),
    };
    // Held until the outcome is recorded: heartbeats go on while the finish waits for the database.
    const release = liveness.hold(lease);
    const handler = model.handler;
    if (!handler) {
      this.running.delete(controller);
      return {
        outcome: { kind: "error", message: `no handler for ${model.schema.name}`, final: true },
        lease,
        release,
      };
    }
    const context: HandlerContext = {
      signal: controller.signal,
      run: claim.revision.number,
      log: (message: string, level: LogLevel = "info") => {
        lease.logs.push({
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
      heartbeat: () => liveness.beat(),
    };
    const stopWatching = events.subscribe(
      (event) => {
        if (event.status === TaskStatus.CANCELLED) controller.abort(new Error("cancelled"));
      },
      { resourceId: claim.resourceId },
    );
    // The job's own limit, else the model's.
    const limit = claim.revision.data.timeoutSeconds ?? model.timeoutSeconds;
    const timeout =
      limit === null
        ? null
        : setTimeout(() => controller.abort(new TimeoutError(`timed out after ${limit}s`)), limit * 1000);

    const job = {
      info: toRevisionInfo(claim.revision),
      data: hydrate(model.schema.model, claim.revision.data),
    };
    let outcome: RunOutcome;
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
      outcome = this.validateArtifact(value, result === false);
    } catch (error) {
      outcome = classify(error);
    } finally {
      this.running.delete(controller);
      if (timeout) clearTimeout(timeout);
      stopWatching();
    }
    return { outcome, lease, release };
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

  /**
   * Records the outcome, with the handler's last log lines, in one transaction, waiting
   * for the database as long as it takes. If even that cannot be done (a statement the
   * database refuses), a failure is recorded instead; failing that, the lease is let go
   * and the job is recovered like a dead worker's.
   */
  private async finish(claim: Claim, { outcome, lease, release }: Run): Promise<void> {
    try {
      try {
        await this.persist("finish", () => this.writeFinish(claim, outcome, lease), "keep-trying");
      } catch (error) {
        if (isTransient(error)) throw error;
        this.deps.logger.error(
          { resourceId: claim.resourceId, reason: outageReason(error) },
          "could not record a run's outcome; recording a failure instead",
        );
        const failure: RunOutcome = {
          kind: "error",
          message: `the run's outcome could not be stored: ${outageReason(error)}`,
          final: false,
        };
        lease.logs.length = 0;
        await this.persist("finish", () => this.writeFinish(claim, failure, lease), "keep-trying");
      }
    } catch (error) {
      this.deps.logger.error(
        { resourceId: claim.resourceId, reason: outageReason(error) },
        "giving up on recording a run's outcome; the job will be recovered",
      );
    } finally {
      release();
    }
  }

  private async writeFinish(claim: Claim, outcome: RunOutcome, lease: Lease): Promise<boolean> {
    const { database, model, settings, queue, workerId } = this.deps;
    // The lines not yet stored by a heartbeat; put back if this attempt fails.
    const logs = lease.logs.splice(0);
    try {
      const now = new Date();
      const next = nextState(claim.revision.data, outcome, settings, now);
      if (next.runAt === null) {
        // The job ends here (completed, failed): one statement, guarded by the claim.
        const written = await this.endings.submit({
          resourceId: claim.resourceId,
          modelName: model.schema.name,
          schemaVersion: claim.revision.schemaVersion,
          expect: {
            revisionId: claim.revision.revisionId,
            number: claim.revision.number,
            status: TaskStatus.PROCESSING,
            attempt: claim.attempt,
          },
          data: next.data,
          revisionStatus: "stable",
          user: `worker:${workerId}`,
          createdBy: claim.revision.createdBy,
          now,
          attempt: claim.attempt,
          leasedBy: null,
          runAt: null,
          logs,
        });
        if (written) this.logEnd(claim, next.data);
        return written;
      }
      // It runs again: its new queue entry commits with the revision.
      return await inUnitOfWork(database.db, async (unit) => {
        if (logs.length > 0) await unit.tx.insert(jobLogs).values(logs);
        const row = await lockResourceRow(unit.tx, model.schema.key, claim.resourceId);
        // Cancelled, recovered or re-run while we worked: that newer state wins.
        if (!row || row.status !== TaskStatus.PROCESSING || row.attempt !== claim.attempt) return false;
        await recordOutcome(unit, row, outcome, {
          modelName: model.schema.name,
          settings,
          queue,
          user: `worker:${workerId}`,
        });
        unit.afterCommit(() => this.logEnd(claim, next.data, next.runAt));
        return true;
      });
    } catch (error) {
      lease.logs.unshift(...logs);
      throw error;
    }
  }

  /** One line per run that did not simply complete: a failure, a retry, a delay. */
  private logEnd(claim: Claim, data: JobData, runAt: Date | null = null): void {
    const fields = { resourceId: claim.resourceId, run: claim.revision.number, retries: data.retries };
    if (data.status === TaskStatus.FAILED)
      this.deps.logger.warn({ ...fields, errmsg: data.errmsg }, "job failed");
    else if (data.status === TaskStatus.PENDING && data.errmsg !== null)
      this.deps.logger.info({ ...fields, errmsg: data.errmsg, runAt }, "job will run again");
  }

  /**
   * Runs `step`, retrying while the database is out of reach (backoff up to 1 s). When
   * the worker is stopping, a claim gives up at once (its message is delivered again
   * later) and a finish after `staleAfter` (its job is then recovered).
   */
  private async persist<T>(
    name: string,
    step: () => Promise<T>,
    onStop: "on-stop-throw" | "keep-trying",
  ): Promise<T> {
    let delay = 100;
    let since: number | null = null;
    for (;;) {
      try {
        const result = await step();
        if (since !== null) this.deps.logger.info({ step: name }, "went through once the database was back");
        return result;
      } catch (error) {
        if (!isTransient(error)) throw error;
        since ??= Date.now();
        const stopping = this.stopping.signal.aborted;
        if (stopping && onStop === "on-stop-throw") throw new ShutdownError("stopping before the claim");
        if (stopping && Date.now() - since > this.deps.settings.staleAfter * 1000) throw error;
        if (delay === 100)
          this.deps.logger.warn(
            { step: name, reason: outageReason(error) },
            "cannot reach the database, retrying",
          );
        await pause(delay, onStop === "on-stop-throw" ? this.stopping.signal : undefined);
        delay = Math.min(delay * 2, 1000);
      }
    }
  }
}

class TimeoutError extends Error {
  override readonly name = "TimeoutError";
}

/** The worker is stopping: the job goes back to PENDING without spending a retry. */
export class ShutdownError extends Error {
  override readonly name = "ShutdownError";
}

function classify(error: unknown): RunOutcome {
  if (error instanceof ShutdownError) return { kind: "delay", seconds: 0, message: error.message };
  if (error instanceof DelayRetry) return { kind: "delay", seconds: error.seconds, message: error.message };
  if (error instanceof NoRetry) return { kind: "error", message: error.message, final: true };
  if (error instanceof Error) return { kind: "error", message: error.message || error.name, final: false };
  return { kind: "error", message: `handler threw a non-Error value: ${inspect(error)}`, final: false };
}
