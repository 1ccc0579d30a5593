// The model of bench/processing.ts: a job whose handler does nothing.
import { z } from "zod";
import { Job, Schema, type Spec } from "../src/index.js";

export class NoopJob extends Job(z.object({ n: z.number().int() })) {}

export function addNoopModel(spec: Spec): void {
  spec.addModel(new Schema(NoopJob, "v1"), { jobHandler: async () => {} });
}
