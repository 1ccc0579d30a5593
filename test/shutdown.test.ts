// Stopping a consumer lets running handlers finish within a grace period; after it,
// they are aborted and their jobs go back to PENDING without spending a retry, so that
// a deploy neither waits forever on a long job nor loses it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Spec, TaskStatus } from "../src/index.js";
import { ScriptJob } from "./fixtures/models.js";
import { removeBrokerQueues } from "./support/brokers.js";
import { freshDatabase } from "./support/database.js";
import { BACKENDS, queuePrefix, skipReason, testSpec } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

describe.each(BACKENDS)("stopping a consumer on the %s queue", (backend) => {
  if (skipReason(backend)) return void it.skip(`${backend}: ${skipReason(backend)}`);
  let spec: Spec;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    spec = testSpec(db.url, backend);
  });
  afterAll(async () => {
    await spec.close();
    await drop();
    await removeBrokerQueues(queuePrefix(backend), ["training-job", "script-job"]);
  });

  const scripts = () => spec.getResourceManager(ScriptJob);
  const processing = (id: string) =>
    waitFor(
      () => scripts().get(id),
      (job) => job.data.status === TaskStatus.PROCESSING,
    );

  it("waits for a handler that finishes within the grace period", async () => {
    await scripts().startConsume({ block: false });
    const info = await scripts().create({ payload: { behaviour: "sleep", ms: 300 } });
    await processing(info.resourceId);
    await scripts().stopConsume({ graceSeconds: 20 });
    expect((await scripts().get(info.resourceId)).data).toMatchObject({
      status: "completed",
      artifact: { value: 300 },
    });
  });

  it("aborts a handler past the grace period and re-queues its job without spending a retry", async () => {
    await scripts().startConsume({ block: false });
    const info = await scripts().create({
      payload: { behaviour: "sleep-first-run", ms: 20_000 },
      maxRetries: 0,
    });
    await processing(info.resourceId);
    await scripts().stopConsume({ graceSeconds: 0.1 });
    const requeued = await scripts().get(info.resourceId);
    expect(requeued.data).toMatchObject({
      status: "pending",
      retries: 0,
      errmsg: "the worker shut down during the run",
    });

    // The next consumer runs it (the second run finishes at once).
    await scripts().startConsume({ block: false });
    const done = await waitFor(
      () => scripts().get(info.resourceId),
      (job) => job.data.status === TaskStatus.COMPLETED,
    );
    expect(done.data).toMatchObject({ retries: 0, artifact: { value: 4 } });
  });
});
