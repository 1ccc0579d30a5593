// `jobstar_workers_alive`: processes whose queue consumers beat within staleAfter, counted
// from jobstar.workers, so every API server reports the whole cluster's workers; on the
// durable queues (graphile-worker and the brokers).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Spec } from "../src/index.js";
import { createMetrics } from "../src/server/index.js";
import { TrainingJob } from "./fixtures/models.js";
import { removeBrokerQueues } from "./support/brokers.js";
import { freshDatabase } from "./support/database.js";
import { DURABLE_BACKENDS, queuePrefix, skipReason, testSpec } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

describe.each(DURABLE_BACKENDS)("on the %s queue", (backend) => {
  if (skipReason(backend)) return void it.skip(`${backend}: ${skipReason(backend)}`);
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let spec: Spec;

  beforeAll(async () => {
    db = await freshDatabase();
    spec = testSpec(db.url, backend);
    await spec.start();
  });

  afterAll(async () => {
    await spec?.close({ graceSeconds: 0 });
    await db?.drop();
    await removeBrokerQueues(queuePrefix(backend), ["training-job", "script-job"]);
  });

  async function workersAlive(metrics: ReturnType<typeof createMetrics>): Promise<number> {
    const text = await metrics.registry.metrics();
    const line = text.split("\n").find((l) => l.startsWith("jobstar_workers_alive "));
    return Number(line?.split(" ")[1]);
  }

  it("counts a process with a live consumer once, and none after it stopped", async () => {
    const metrics = createMetrics(spec);
    expect(await workersAlive(metrics)).toBe(0);
    await spec.getResourceManager(TrainingJob).startConsume({ block: false, concurrency: 2 });
    expect(
      await waitFor(
        () => workersAlive(metrics),
        (n) => n === 1,
      ),
    ).toBe(1);
    await spec.getResourceManager(TrainingJob).stopConsume({ graceSeconds: 0 });
    expect(
      await waitFor(
        () => workersAlive(metrics),
        (n) => n === 0,
      ),
    ).toBe(0);
  });
});
