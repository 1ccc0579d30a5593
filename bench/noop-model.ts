// The bench's jobstar model: a job whose handler does nothing but call `onStart` (if given).
import { z } from "zod";
import { Job, Schema, type Spec } from "../src/index.js";

export class NoopJob extends Job(z.object({ n: z.number().int() })) {}

const schema = new Schema(NoopJob, "v1");

/** The model's key: its jobs' `model` column. */
export const NOOP_MODEL = schema.key;

export function addNoopModel(spec: Spec, onStart?: (n: number) => unknown): void {
  spec.addModel(schema, {
    jobHandler: async (job) => {
      await onStart?.(job.data.payload.n);
    },
  });
}
