// OpenTelemetry: with a tracer provider registered by the application, a job's creation
// and each delivery are spans (`jobstar.create`, `jobstar.run` with its claim, handler and
// finish inside), carrying the model and the job's id; without one, nothing is recorded.
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Spec, TaskStatus } from "../src/index.js";
import { ScriptJob } from "./fixtures/models.js";
import { freshDatabase } from "./support/database.js";
import { testSpec } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

const exporter = new InMemorySpanExporter();
let db: Awaited<ReturnType<typeof freshDatabase>>;
let spec: Spec;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  db = await freshDatabase();
  spec = testSpec(db.url, "graphile");
  await spec.getResourceManager(ScriptJob).startConsume({ block: false });
});

afterAll(async () => {
  await spec?.close({ graceSeconds: 0 });
  await db?.drop();
  trace.disable();
  context.disable();
});

it("traces a job's creation and its run: claim, handler and finish inside the run", async () => {
  const scripts = spec.getResourceManager(ScriptJob);
  const { resourceId } = await scripts.create({ payload: { behaviour: "ok" } });
  await waitFor(
    async () => (await scripts.get(resourceId)).data.status,
    (status) => status === TaskStatus.COMPLETED,
  );
  const spans = await waitFor(
    async () => exporter.getFinishedSpans().filter((s) => s.attributes["jobstar.resource_id"] === resourceId),
    (found) => found.some((s) => s.name === "jobstar.run ScriptJob"),
  );
  const byName = new Map(spans.map((s) => [s.name, s]));
  expect([...byName.keys()].sort()).toEqual([
    "jobstar.claim",
    "jobstar.create ScriptJob",
    "jobstar.finish",
    "jobstar.handler",
    "jobstar.run ScriptJob",
  ]);
  const run = byName.get("jobstar.run ScriptJob");
  expect(run?.attributes).toMatchObject({
    "jobstar.model": "ScriptJob",
    "jobstar.claimed": true,
    "jobstar.attempt": 1,
  });
  for (const step of ["jobstar.claim", "jobstar.handler", "jobstar.finish"]) {
    expect(byName.get(step)?.parentSpanContext?.spanId).toBe(run?.spanContext().spanId);
  }
  expect(byName.get("jobstar.handler")?.attributes["jobstar.outcome"]).toBe("success");
});
