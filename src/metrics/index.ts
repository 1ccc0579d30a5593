import { usePrometheus } from "@graphql-yoga/plugin-prometheus";
import type { Plugin } from "graphql-yoga";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { TASK_STATUSES, TaskStatus } from "../model/task-status.js";
import type { Spec } from "../spec.js";
import { eventMetrics } from "./event-metrics.js";
import { countJobs, countLiveWorkers } from "./job-counts.js";

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Where the metrics are registered. Default: a new registry. */
  registry?: Registry;
  /** Path that serves them in Prometheus text format. Default: `/metrics`. */
  endpoint?: string;
}

/** A spec's metrics and the yoga plugins that record GraphQL metrics and serve them all. */
export interface JobstarMetrics {
  readonly registry: Registry;
  readonly plugins: Plugin[];
}

/**
 * Prometheus metrics of a spec: jobs by model and status, queue depth and the age of the
 * oldest pending job (read from the database at each scrape), job counters and run durations
 * (from the event stream), open subscriptions, GraphQL operations, and process metrics.
 */
export function createMetrics(spec: Spec, options: MetricsOptions = {}): JobstarMetrics {
  const registry = options.registry ?? new Registry();
  collectDefaultMetrics({ register: registry });

  // The database gauges share one grouped query per scrape: prom-client collects all
  // metrics at once, so each one's collect awaits the same read.
  let reading: Promise<void> | null = null;
  const read = () => {
    reading ??= readJobCounts().finally(() => {
      reading = null;
    });
    return reading;
  };
  const jobs = new Gauge({
    name: "jobstar_jobs",
    help: "Jobs by model and status, from the database.",
    labelNames: ["model", "status"] as const,
    registers: [registry],
    collect: read,
  });
  const depth = new Gauge({
    name: "jobstar_queue_depth",
    help: "Pending jobs by model (waiting for a worker, or for a retry's delay).",
    labelNames: ["model"] as const,
    registers: [registry],
    collect: read,
  });
  const oldest = new Gauge({
    name: "jobstar_oldest_pending_age_seconds",
    help: "How long the longest-waiting pending job of each model has waited, in seconds.",
    labelNames: ["model"] as const,
    registers: [registry],
    collect: read,
  });
  const workers = new Gauge({
    name: "jobstar_workers_alive",
    help: "Worker processes (of any machine) whose queue consumers sent a heartbeat within staleAfter.",
    registers: [registry],
    collect: read,
  });
  const up = new Gauge({
    name: "jobstar_database_up",
    help: "1 when the last scrape could read the database, else 0.",
    registers: [registry],
    collect: read,
  });

  async function readJobCounts(): Promise<void> {
    // The table stores each model's key (`training-job`); metrics use its name (`TrainingJob`).
    const names = new Map(spec.registeredModels().map((model) => [model.schema.key, model.schema.name]));
    jobs.reset();
    depth.reset();
    oldest.reset();
    for (const model of names.values()) {
      depth.set({ model }, 0);
      oldest.set({ model }, 0);
      for (const status of TASK_STATUSES) jobs.set({ model, status }, 0);
    }
    try {
      const { database, settings } = await spec.start();
      workers.set(await countLiveWorkers(database.sql, settings.staleAfter));
      for (const row of await countJobs(database.sql)) {
        const model = names.get(row.model) ?? row.model;
        jobs.set({ model, status: row.status }, row.count);
        if (row.status === TaskStatus.PENDING) {
          depth.set({ model }, row.count);
          oldest.set({ model }, row.oldestAgeSeconds);
        }
      }
      up.set(1);
    } catch (error) {
      up.set(0);
      spec.logger.warn({ error: (error as Error).message }, "metrics: could not count jobs");
    }
  }
  const subscriptions = new Gauge({
    name: "jobstar_open_subscriptions",
    help: "GraphQL subscriptions open on this server (graphql-ws and SSE).",
    registers: [registry],
  });

  const onEvent = eventMetrics(registry);
  spec.start().then(
    (runtime) => runtime.events.subscribe(onEvent),
    () => {}, // start-up failures are reported by whoever started the spec
  );

  const countSubscriptions: Plugin = {
    onSubscribe: () => ({
      onSubscribeResult: () => {
        subscriptions.inc();
        return { onEnd: () => subscriptions.dec() };
      },
    }),
  };
  const prometheus = usePrometheus({
    registry,
    endpoint: options.endpoint ?? "/metrics",
    metrics: {
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      graphql_envelop_phase_execute: true,
      graphql_envelop_phase_subscribe: true,
      graphql_envelop_request: true,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_schema_change: false,
      graphql_yoga_http_duration: false,
    },
  });
  return { registry, plugins: [countSubscriptions, prometheus] };
}
