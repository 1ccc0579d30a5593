// Figure 6 (jobstar only, with a floor): a job's finish commit → its COMPLETED `jobStatus`
// event at a graphql-ws client of a jobstar API server in its own process. The bench process
// consumes the job itself, holding the handler until the subscription has delivered the job's
// first state; the latency is the client's Date.now() on receipt minus the COMPLETED
// revision's updatedTime (written by the finish statement, just before its commit). The floor:
// NOTIFY (its own commit) → LISTEN callback between two plain postgres.js connections.

import pino from "pino";
import postgres from "postgres";
import { Spec } from "../../src/index.js";
import { GraphileWorkerMessageQueueFactory } from "../../src/message-queue.js";
import { addNoopModel, NoopJob } from "../noop-model.js";
import { percentile } from "../stats.js";
import { JOB_STATUS, type JobStatusView, startApiServer, wsClient } from "./api-server.js";
import type { BenchContext, Figure, Sample } from "./figure.js";

/** Handlers wait at their gate until the bench opens it (before or after they arrive). */
class Gates {
  private readonly opened = new Set<number>();
  private readonly waiting = new Map<number, () => void>();
  wait(n: number): Promise<void> {
    if (this.opened.has(n)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(n, resolve));
  }
  open(n: number): void {
    this.opened.add(n);
    this.waiting.get(n)?.();
  }
}

function rows(jobs: number) {
  return ([50, 95] as const).map((p) => ({
    p,
    row: { label: `6. finish commit → subscriber p${p} (${jobs} jobs)`, unit: "ms", higherIsBetter: false },
  }));
}

export function subscriberLatencyFigure(ctx: BenchContext, jobs: number): Figure {
  const specs = rows(jobs);
  const samples = (latencies: number[]): Sample[] =>
    specs.map(({ p, row }) => ({ row, value: percentile(latencies, p) }));
  return {
    key: "subscriber",
    title: `6. finish commit → subscriber (${jobs} jobs)`,
    footnote:
      "6: jobstar = the client's Date.now() on receiving COMPLETED minus that revision's updatedTime (ms " +
      "resolution, same machine); the floor = NOTIFY (autocommit) → LISTEN callback, performance.now().",
    contenders: [
      { column: "jobstar", measure: async () => samples(await jobstarLatencies(ctx, jobs)) },
      { column: "raw NOTIFY→LISTEN", measure: async () => samples(await notifyLatencies(ctx, jobs)) },
    ],
  };
}

async function jobstarLatencies(ctx: BenchContext, jobs: number): Promise<number[]> {
  const db = await ctx.server.scratch();
  const gates = new Gates();
  const spec = new Spec().configure({
    databaseUrl: db.url,
    messageQueueFactory: new GraphileWorkerMessageQueueFactory(),
    logger: pino({ level: "error" }, pino.destination(2)),
  });
  addNoopModel(spec, (n) => gates.wait(n));
  try {
    const mgr = spec.getResourceManager(NoopJob);
    await spec.start();
    const server = await startApiServer(db.url);
    const client = wsClient(server.url);
    try {
      await mgr.startConsume({ block: false, concurrency: 1 });
      const latencies: number[] = [];
      for (let n = 0; n < jobs; n++) {
        const { resourceId } = await mgr.create({ payload: { n } });
        const events = client.iterate<JobStatusView>({
          query: JOB_STATUS,
          variables: { id: resourceId },
        });
        let first = true;
        for await (const result of events) {
          const received = Date.now();
          const view = result.data?.jobStatus;
          if (!view) throw new Error(`jobStatus errors: ${JSON.stringify(result.errors)}`);
          if (first) gates.open(n);
          first = false;
          if (view.status === "COMPLETED") {
            latencies.push(received - Date.parse(view.info.updatedTime));
            break;
          }
        }
      }
      return latencies;
    } finally {
      await client.dispose();
      await server.stop();
    }
  } finally {
    await spec.close({ graceSeconds: 1 });
    await db.drop();
  }
}

async function notifyLatencies(ctx: BenchContext, count: number): Promise<number[]> {
  const db = await ctx.server.scratch();
  const listener = postgres(db.url, { max: 1, onnotice: () => {} });
  const notifier = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    const heard = new Map<string, () => void>();
    await listener.listen("bench_floor", (payload) => heard.get(payload)?.());
    const latencies: number[] = [];
    for (let n = 0; n < count; n++) {
      const arrived = new Promise<void>((resolve) => heard.set(String(n), resolve));
      const sent = performance.now();
      await notifier`select pg_notify('bench_floor', ${String(n)})`;
      await arrived;
      latencies.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return latencies;
  } finally {
    await listener.end();
    await notifier.end();
    await db.drop();
  }
}
