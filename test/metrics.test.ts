// /metrics, scraped after a few jobs: counts by model and status and queue depth from the
// database, counters and run durations from the event stream, open subscriptions, GraphQL
// operations and process metrics, in Prometheus text format.
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { Job, Schema, type Spec, TaskStatus } from "../src/index.js";
import { createServer, type JobstarServer } from "../src/server/index.js";
import { ScriptJob, TrainingJob } from "./fixtures/models.js";
import { freshDatabase } from "./support/database.js";
import { testSpec } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

/** A model with no handler here: its jobs stay pending. */
class IdleJob extends Job(z.object({ n: z.number() })) {}

let db: Awaited<ReturnType<typeof freshDatabase>>;
let spec: Spec;
let server: JobstarServer;

beforeAll(async () => {
  db = await freshDatabase();
  spec = testSpec(db.url, "simple");
  spec.addModel(new Schema(IdleJob, "v1"));
  await spec.start();
  server = await createServer(spec, { port: 0 });
});

afterAll(async () => {
  await server?.close();
  await spec?.close();
  await db?.drop();
});

/** The scraped samples, by their name and labels as printed (`name{a="x"}`). */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(new URL("/metrics", server.url));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

it("reports jobs, counters, durations, subscriptions and the process after a few jobs", async () => {
  const training = spec.getResourceManager(TrainingJob);
  const scripts = spec.getResourceManager(ScriptJob);
  await training.startConsume({ block: false, concurrency: 2 });
  await scripts.startConsume({ block: false });
  const payload = { data_id: "d", algo: "mlp" as const, params: {} };
  const ids = [
    ...(await Promise.all([1, 2, 3].map(() => training.create(new TrainingJob({ payload }))))),
    await scripts.create(new ScriptJob({ payload: { behaviour: "no-retry" } })),
    await scripts.create(new ScriptJob({ payload: { behaviour: "throw" }, maxRetries: 1 })),
  ].map((info) => info.resourceId);
  const idle = spec.getResourceManager(IdleJob);
  const idleJob = await idle.create(new IdleJob({ payload: { n: 1 } }));
  await idle.create(new IdleJob({ payload: { n: 2 } }));

  await waitFor(
    () =>
      Promise.all(
        ids.map(async (id) => {
          const model = id.startsWith("training") ? TrainingJob : ScriptJob;
          return (await spec.getResourceManager(model).get(id)).data.status;
        }),
      ),
    (statuses) => statuses.every((status) => status === TaskStatus.COMPLETED || status === TaskStatus.FAILED),
  );

  const query = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ trainingJobs { totalCount } }" }),
  });
  expect(await query.json()).toEqual({ data: { trainingJobs: { totalCount: 3 } } });

  // An open subscription over SSE (the idle job never ends, so it stays open).
  const watching = new AbortController();
  const stream = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({
      query: "subscription ($id: ID!) { jobStatus(id: $id) { status } }",
      variables: { id: idleJob.resourceId },
    }),
    signal: watching.signal,
  });
  const reader = stream.body?.getReader();
  await reader?.read(); // the current state: the subscription is running

  let samples = await scrape();
  const sample = (name: string) => samples.get(name);
  expect(sample('jobstar_jobs{model="TrainingJob",status="completed"}')).toBe(3);
  expect(sample('jobstar_jobs{model="ScriptJob",status="failed"}')).toBe(2);
  expect(sample('jobstar_jobs{model="ScriptJob",status="processing"}')).toBe(0);
  expect(sample('jobstar_queue_depth{model="IdleJob"}')).toBe(2);
  expect(sample('jobstar_queue_depth{model="TrainingJob"}')).toBe(0);
  expect(sample('jobstar_oldest_pending_age_seconds{model="IdleJob"}')).toBeGreaterThan(0);
  expect(sample("jobstar_database_up")).toBe(1);
  // Every event this process received was timed from its write.
  expect(sample("jobstar_event_lag_seconds_count")).toBeGreaterThan(0);
  // The simple queue holds nothing in the database, so it registers no worker.
  expect(sample("jobstar_workers_alive")).toBe(0);

  samples = await waitFor(scrape, (s) => s.get('jobstar_jobs_completed_total{model="TrainingJob"}') === 3);
  expect(sample('jobstar_jobs_created_total{model="TrainingJob"}')).toBe(3);
  expect(sample('jobstar_jobs_created_total{model="IdleJob"}')).toBe(2);
  expect(sample('jobstar_jobs_started_total{model="ScriptJob"}')).toBe(3); // no-retry once, throw twice
  expect(sample('jobstar_jobs_failed_total{model="ScriptJob"}')).toBe(2);
  expect(sample('jobstar_jobs_retried_total{model="ScriptJob"}')).toBe(1);
  expect(sample('jobstar_job_run_duration_seconds_count{model="TrainingJob",outcome="completed"}')).toBe(3);
  expect(sample("jobstar_open_subscriptions")).toBe(1);
  expect(
    [...samples.keys()].filter((name) => name.startsWith("graphql_envelop_request_duration_count")),
  ).toEqual([expect.stringContaining('operationType="query"')]);
  expect(sample("process_cpu_user_seconds_total")).toBeGreaterThan(0);

  watching.abort();
  await reader?.cancel().catch(() => {});
  samples = await waitFor(scrape, (s) => s.get("jobstar_open_subscriptions") === 0);
  expect(sample("jobstar_open_subscriptions")).toBe(0);
});
