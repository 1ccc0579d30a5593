import type { JobData } from "../model/job.js";
import type { LogLevel, Resource } from "../resource/types.js";

/** What a handler gets besides its job. */
export interface HandlerContext<A = unknown> {
  /**
   * Aborted when the job is cancelled, times out, is recovered from this worker, or the
   * consumer stops and its grace period (`stopConsume({ graceSeconds })`) has run out.
   */
  readonly signal: AbortSignal;
  /** The run number: the revision number of this run's PROCESSING revision. */
  readonly run: number;
  /** Stores a log line with the job (read back with `getLogs`). */
  log(message: string, level?: LogLevel): void;
  /** Sets the job's artifact (validated against the model's artifact schema when the run ends). */
  setArtifact(artifact: A): void;
  /** Reports progress now; heartbeats are also sent automatically while the handler runs. */
  heartbeat(): Promise<void>;
}

/**
 * Processes one job. It may return the job's data (its `artifact` is kept), nothing,
 * or `false` to end a periodic job. Throwing spends one retry; see {@link NoRetry}
 * and {@link DelayRetry}.
 */
export type JobHandler<T extends JobData = JobData> = (
  job: Resource<T>,
  context: HandlerContext<T["artifact"]>,
) => Promise<HandlerResult<T>> | HandlerResult<T>;

/** What a handler may return: the job's data, `false` (end a periodic job), or nothing. */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler may return nothing at all.
export type HandlerResult<T> = T | false | undefined | void;

/** Throw to fail the job at once, without spending or waiting for retries. */
export class NoRetry extends Error {
  override readonly name = "NoRetry";
}

/** Throw to run the job again after `seconds`, without spending its retry budget. */
export class DelayRetry extends Error {
  override readonly name = "DelayRetry";

  constructor(
    readonly seconds: number,
    message = `delayed for ${seconds}s`,
  ) {
    super(message);
    if (!Number.isFinite(seconds) || seconds < 0)
      throw new RangeError("DelayRetry seconds must be a finite number >= 0");
  }
}
