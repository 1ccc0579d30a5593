import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Job, MIGRATION_USER, Schema, Spec, TaskStatus } from "../src/index.js";
import { freshDatabase } from "./support/database.js";
import { type Backend, queueFactory } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

// One model, MigratedJob, as three releases of an application define it.
const V1 = (() => {
  class MigratedJob extends Job(z.object({ data_id: z.string() })) {}
  return MigratedJob;
})();
const V2 = (() => {
  class MigratedJob extends Job(z.object({ data_id: z.string(), lr: z.number() })) {}
  return MigratedJob;
})();
const V3 = (() => {
  class MigratedJob extends Job(
    z.object({ data_id: z.string(), lr: z.number(), epochs: z.number().int() }),
  ) {}
  return MigratedJob;
})();

/** The v3 schema: v1 → v2 adds `lr`, v2 → v3 adds `epochs` (and refuses a `bad` job). */
function schemaV3() {
  return new Schema(V3, "v3")
    .step("v1", (payload) => ({ ...(payload as object), lr: 0.1 }))
    .step("v2", (payload) => {
      const p = payload as { data_id: string };
      if (p.data_id.startsWith("bad")) throw new Error(`no epochs for ${p.data_id}`);
      return { ...p, epochs: 3 };
    });
}

const terminal: string[] = [TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED];

describe.each<Backend>(["simple", "graphile"])("schema migrations on the %s queue", (backend) => {
  let url: string;
  let drop: () => Promise<void>;
  const specs: Spec[] = [];

  beforeAll(async () => {
    ({ url, drop } = await freshDatabase());
  });

  afterAll(async () => {
    await Promise.all(specs.map((spec) => spec.close()));
    await drop();
  });

  function newSpec(): Spec {
    const spec = new Spec().configure({ databaseUrl: url, messageQueueFactory: queueFactory(backend) });
    specs.push(spec);
    return spec;
  }

  /** Jobs stored by a release at `version` (no worker: they stay PENDING), then that release stopped. */
  async function storedAt(version: "v1" | "v2", payloads: object[]): Promise<string[]> {
    const spec = newSpec();
    spec.addModel(version === "v1" ? new Schema(V1, "v1") : new Schema(V2, "v2"));
    const infos = await spec
      .getResourceManager("MigratedJob")
      .createMany(payloads.map((payload) => ({ payload })));
    await spec.close();
    return infos.map((info) => info.resourceId);
  }

  it("migrates a v1 job through v2 to v3 before its handler sees it, recorded as a revision", async () => {
    const [good, bad] = await storedAt("v1", [{ data_id: "d1" }, { data_id: "bad1" }]);
    const seen: unknown[] = [];
    const spec = newSpec();
    spec.addModel(schemaV3(), {
      jobHandler: (job) => {
        seen.push(job.data.payload);
      },
    });
    const mgr = spec.getResourceManager(V3);
    // A reader sees the payload migrated before anything is written.
    const read = await mgr.get(good as string);
    expect(read.data.payload).toEqual({ data_id: "d1", lr: 0.1, epochs: 3 });
    expect(read.info.schemaVersion).toBe("v1");

    await mgr.startConsume({ block: false });
    const done = await waitFor(
      () => mgr.get(good as string),
      (job) => terminal.includes(job.data.status),
    );
    expect(done.data.status).toBe("completed");
    expect(seen).toEqual([{ data_id: "d1", lr: 0.1, epochs: 3 }]);
    const history = (await mgr.listRevisions(good as string)).items;
    expect(history.map((r) => [r.data.status, r.info.schemaVersion, r.info.updatedBy.split(":")[0]])).toEqual(
      [
        ["pending", "v1", "anonymous"],
        ["pending", "v3", "jobstar"],
        ["processing", "v3", "worker"],
        ["completed", "v3", "worker"],
      ],
    );
    expect(history[1]?.info.updatedBy).toBe(MIGRATION_USER);
    expect((await mgr.getMeta(good as string)).schemaVersion).toBe("v3");

    // A payload the chain refuses fails its job, saying which step and why.
    const failed = await waitFor(
      () => mgr.get(bad as string),
      (job) => terminal.includes(job.data.status),
    );
    expect(failed.data.status).toBe("failed");
    expect(failed.data.errmsg).toBe(
      "cannot migrate the payload from v1 to MigratedJob v3: the step from v2 threw: no epochs for bad1",
    );
    expect(failed.info.updatedBy).toBe(MIGRATION_USER);
    expect(seen).toHaveLength(1);
    await mgr.stopConsume();
  });

  it("migrates every stored job eagerly, in batches, from any older version", async () => {
    const v1 = await storedAt(
      "v1",
      Array.from({ length: 7 }, (_, i) => ({ data_id: `eager${i}` })),
    );
    const [v2] = await storedAt("v2", [{ data_id: "from-v2", lr: 0.5 }]);
    const [bad] = await storedAt("v1", [{ data_id: "bad-eager" }]);
    const spec = newSpec();
    spec.addModel(schemaV3());
    const mgr = spec.getResourceManager(V3);
    // Jobs of the first test are done or failed already; these 8 wait, and one cannot be migrated.
    const counts = await spec.migrateJobs();
    expect(counts.MigratedJob).toBe(8);
    for (const id of v1) {
      const meta = await mgr.getMeta(id);
      expect(meta.schemaVersion).toBe("v3");
      const job = await mgr.get(id);
      expect(job.info.updatedBy).toBe(MIGRATION_USER);
      expect(job.data.status).toBe("pending");
    }
    expect((await mgr.get(v2 as string)).data.payload).toEqual({ data_id: "from-v2", lr: 0.5, epochs: 3 });
    expect((await mgr.get(bad as string)).data).toMatchObject({
      status: "failed",
      errmsg: expect.stringContaining("no epochs for bad-eager"),
    });
    expect(await mgr.migrate()).toBe(0);

    // The migrated jobs still run (their queue entries were made anew).
    const seen: unknown[] = [];
    const worker = newSpec();
    worker.addModel(schemaV3(), { jobHandler: (job) => void seen.push(job.data.payload) });
    await worker.getResourceManager(V3).startConsume({ block: false });
    await waitFor(
      async () => seen.length,
      (n) => n >= 8,
    );
    await worker.getResourceManager(V3).stopConsume();
  });

  it("hands a partition on when its next job fails to migrate", async () => {
    const spec = newSpec();
    spec.addModel(new Schema(V1, "v1"));
    const [bad, good] = await spec.getResourceManager("MigratedJob").createMany([
      { payload: { data_id: "bad-partition" }, partitionKey: "p" },
      // Delivered first (one at a time): it is migrated, then waits for the job before it.
      { payload: { data_id: "partition" }, partitionKey: "p", priority: 5 },
    ]);
    await spec.close();
    const worker = newSpec();
    worker.addModel(schemaV3(), { jobHandler: () => {} });
    const mgr = worker.getResourceManager(V3);
    await mgr.startConsume({ block: false, concurrency: 1 });
    // Well before a sweep's safety net (staleAfter, 5 s) would resume the partition.
    const done = await waitFor(
      () => Promise.all([mgr.get(bad?.resourceId as string), mgr.get(good?.resourceId as string)]),
      (jobs) => jobs.every((job) => terminal.includes(job.data.status)),
      3000,
    );
    expect(done.map((job) => job.data.status)).toEqual(["failed", "completed"]);
    await mgr.stopConsume();
  });

  it("refuses a chain with a repeated step", () => {
    expect(() => new Schema(V3, "v3").step("v1", (p) => p).step("v1", (p) => p)).toThrow(
      "there is already a step from v1",
    );
  });
});
