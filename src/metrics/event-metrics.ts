import { Counter, Histogram, type Registry } from "prom-client";
import type { EventListener } from "../events/bus.js";
import { isTerminal, TaskStatus } from "../model/task-status.js";

/** Resources whose last status this process remembers (to tell a retry from a rerun); bounded. */
const MAX_TRACKED = 50_000;

/**
 * Job counters derived from the committed events every process receives over LISTEN/NOTIFY.
 * They count the transitions of the whole cluster since this process started (each process
 * reports the same totals), not the work of this process alone.
 */
export function eventMetrics(registry: Registry): EventListener {
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ["model"] as const, registers: [registry] });
  const created = counter(
    "jobstar_jobs_created_total",
    "Jobs created (cluster-wide, since this process started).",
  );
  const started = counter("jobstar_jobs_started_total", "Job runs started: claimed by a worker.");
  const completed = counter("jobstar_jobs_completed_total", "Jobs that completed.");
  const failed = counter(
    "jobstar_jobs_failed_total",
    "Jobs that failed for good (retries spent or NoRetry).",
  );
  const cancelled = counter("jobstar_jobs_cancelled_total", "Jobs cancelled.");
  const retried = counter(
    "jobstar_jobs_retried_total",
    "Runs that ended back in pending: a retry, a delayed retry, or the recovery of a dead worker's job.",
  );
  const rerun = counter("jobstar_jobs_rerun_total", "Finished jobs sent to run again (rerun).");
  const duration = new Histogram({
    name: "jobstar_job_run_duration_seconds",
    help: "From claim to the run's end (by the event times this process saw), by outcome.",
    labelNames: ["model", "outcome"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });

  const lag = new Histogram({
    name: "jobstar_event_lag_seconds",
    help: "From a change being written (the writer's clock) to its event reaching this process.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const last = new Map<string, { status: TaskStatus; at: number }>();
  return (event) => {
    if (event.at !== undefined) lag.observe(Math.max(0, Date.now() - event.at) / 1000);
    const { model, resourceId, status } = event;
    const previous = last.get(resourceId);
    const now = performance.now();
    if (previous?.status === TaskStatus.PROCESSING && status !== TaskStatus.PROCESSING) {
      duration.observe({ model, outcome: status }, (now - previous.at) / 1000);
    }
    switch (status) {
      case TaskStatus.PENDING:
        if (event.revisionId.endsWith(":1")) created.inc({ model });
        else if (previous?.status === TaskStatus.PROCESSING) retried.inc({ model });
        else if (previous && isTerminal(previous.status)) rerun.inc({ model });
        break;
      case TaskStatus.PROCESSING:
        // Heartbeats touch the draft in place and send no event; a second PROCESSING is a new claim.
        started.inc({ model });
        break;
      case TaskStatus.COMPLETED:
        completed.inc({ model });
        break;
      case TaskStatus.FAILED:
        failed.inc({ model });
        break;
      case TaskStatus.CANCELLED:
        cancelled.inc({ model });
        break;
    }
    last.delete(resourceId);
    if (last.size >= MAX_TRACKED) {
      const oldest = last.keys().next();
      if (!oldest.done) last.delete(oldest.value);
    }
    last.set(resourceId, { status, at: now });
  };
}
