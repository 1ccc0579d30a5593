import type { JobData } from "../model/job.js";
import { TaskStatus } from "../model/task-status.js";
import type { RunSettings } from "./message-queue.js";

/** How a run ended. */
export type RunOutcome =
  | { kind: "success"; artifact: unknown; stopPeriodic: boolean }
  | { kind: "error"; message: string; final: boolean }
  | { kind: "delay"; seconds: number; message: string };

/** The job's next data, and when to run it again (null: not at all). */
export interface Transition {
  data: JobData;
  runAt: Date | null;
}

/**
 * SpecStar's run semantics in one place: what a run's outcome does to a
 * PROCESSING job (success, periodic re-run, retry with backoff, delay, failure).
 */
export function nextState(job: JobData, outcome: RunOutcome, settings: RunSettings, now: Date): Transition {
  const base: JobData = { ...job, lastHeartbeatAt: null };
  const after = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  switch (outcome.kind) {
    case "success": {
      const periodic = job.periodicIntervalSeconds !== null;
      const runs = periodic ? job.periodicRuns + 1 : job.periodicRuns;
      const data: JobData = { ...base, artifact: outcome.artifact ?? null, errmsg: null, periodicRuns: runs };
      const again =
        periodic && !outcome.stopPeriodic && (job.periodicMaxRuns === null || runs < job.periodicMaxRuns);
      if (again && job.periodicIntervalSeconds !== null) {
        // Each periodic run gets the whole retry budget, as SpecStar resets it before a run.
        return {
          data: { ...data, status: TaskStatus.PENDING, retries: 0 },
          runAt: after(job.periodicIntervalSeconds),
        };
      }
      return { data: { ...data, status: TaskStatus.COMPLETED }, runAt: null };
    }
    case "delay":
      return {
        data: { ...base, status: TaskStatus.PENDING, errmsg: outcome.message },
        runAt: after(outcome.seconds),
      };
    case "error": {
      const budget = job.maxRetries ?? settings.maxRetries;
      if (outcome.final || job.retries >= budget) {
        return { data: { ...base, status: TaskStatus.FAILED, errmsg: outcome.message }, runAt: null };
      }
      const retries = job.retries + 1;
      return {
        data: { ...base, status: TaskStatus.PENDING, errmsg: outcome.message, retries },
        runAt: after(settings.retryDelay(retries)),
      };
    }
  }
}
