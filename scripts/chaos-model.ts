// The job of `npm run chaos`: sleeps `ms`, after telling the caller it started.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { Job, Schema, type Spec } from "../src/index.js";

export class ChaosJob extends Job(z.object({ ms: z.number().int().min(0) })) {}

/** Registers ChaosJob; `started(resourceId, run)` is awaited before each run sleeps. */
export function addChaosModel(spec: Spec, started: (resourceId: string, run: number) => Promise<void>): void {
  spec.addModel(new Schema(ChaosJob, "v1"), {
    jobHandler: async (job, ctx) => {
      await started(job.info.resourceId, ctx.run);
      await sleep(job.data.payload.ms, undefined, { signal: ctx.signal });
    },
  });
}
