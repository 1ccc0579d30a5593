// The demo's job models: the seed's TrainingJob, a ReportJob that produces an
// artifact, and a FlakyJob that fails (and retries) as often as it is told to.
import { setTimeout as sleep } from "node:timers/promises";
import { Job, NoRetry, Schema, type Spec } from "jobstar";
import { z } from "zod";

export const TrainingPayload = z.object({
  data_id: z.string().min(1).describe("Which data set to train on."),
  algo: z.enum(["random-forest", "mlp"]).describe("The learning algorithm."),
  params: z.record(z.string(), z.unknown()).describe("Algorithm parameters."),
});
export const TrainingArtifact = z.object({
  modelId: z.string(),
  accuracy: z.number(),
});

/** The seed's training job. */
export class TrainingJob extends Job(TrainingPayload, TrainingArtifact) {}

export const ReportPayload = z.object({
  title: z.string().min(1),
  rows: z.number().int().min(1).max(1000),
});
export const ReportArtifact = z.object({
  title: z.string(),
  total: z.number(),
  generatedAt: z.date(),
  lines: z.array(z.object({ label: z.string(), value: z.number() })),
});

/** Builds a small report: an artifact with nested objects, a list and a date. */
export class ReportJob extends Job(ReportPayload, ReportArtifact) {}

export const FlakyPayload = z.object({
  failTimes: z.number().int().min(0).describe("How many runs fail before one succeeds."),
  fatal: z.boolean().optional().describe("Fail at once, without retries."),
});

/** Fails its first `failTimes` runs: watch retries happen. */
export class FlakyJob extends Job(FlakyPayload) {}

/** Registers the demo models and their handlers on `spec`. */
export function addDemoModels(spec: Spec): Spec {
  spec.addModel(new Schema(TrainingJob, "v1"), {
    jobHandler: async (job, ctx) => {
      ctx.log(`training ${job.data.payload.algo} on ${job.data.payload.data_id}`);
      for (let epoch = 1; epoch <= 3; epoch++) {
        await sleep(300, undefined, { signal: ctx.signal });
        ctx.log(`epoch ${epoch}/3`);
      }
      ctx.setArtifact({
        modelId: `${job.data.payload.algo}-${job.info.resourceId.slice(-8)}`,
        accuracy: 0.93,
      });
    },
  });
  spec.addModel(new Schema(ReportJob, "v1"), {
    jobHandler: async (job, ctx) => {
      const lines = Array.from({ length: job.data.payload.rows }, (_, i) => ({
        label: `row ${i + 1}`,
        value: i + 1,
      }));
      await sleep(200, undefined, { signal: ctx.signal });
      ctx.setArtifact({
        title: job.data.payload.title,
        total: lines.reduce((sum, line) => sum + line.value, 0),
        generatedAt: new Date(),
        lines,
      });
    },
  });
  spec.addModel(new Schema(FlakyJob, "v1"), {
    jobHandler: async (job, ctx) => {
      await sleep(200, undefined, { signal: ctx.signal });
      if (job.data.payload.fatal) throw new NoRetry("told to fail for good");
      if (job.data.retries < job.data.payload.failTimes)
        throw new Error(`failing run ${job.data.retries + 1}`);
      ctx.log("finally succeeded");
    },
  });
  return spec;
}
