import { ConfigurationError } from "../errors.js";
import type { JobModel } from "./job.js";
import { kebabCase } from "./naming.js";

/** A job model at a schema version: what `spec.addModel` registers. */
export class Schema<M extends JobModel = JobModel> {
  /** The model's name, from its class name (`TrainingJob`). */
  readonly name: string;
  /** The resource id prefix and queue task name (`training-job`). */
  readonly key: string;

  constructor(
    readonly model: M,
    readonly version: string,
  ) {
    if (typeof model !== "function" || !isZodSchema((model as Partial<JobModel>).payloadSchema)) {
      const name = typeof model === "function" ? model.name || "(anonymous class)" : typeof model;
      throw new ConfigurationError(
        `${name} is not a job model: make it with Job(), e.g. class ${name === "(anonymous class)" ? "TrainingJob" : name} extends Job(PayloadSchema) {}`,
      );
    }
    if (!model.name || model.name === "JobBase") {
      throw new ConfigurationError(
        "a job model must be a named class: class TrainingJob extends Job(Payload) {}",
      );
    }
    if (typeof version !== "string" || version.trim() === "") {
      throw new ConfigurationError(
        `${model.name}: the schema version must be a non-empty string, e.g. new Schema(${model.name}, "v1")`,
      );
    }
    this.name = model.name;
    this.key = kebabCase(model.name);
  }
}

function isZodSchema(value: unknown): boolean {
  return typeof value === "object" && value !== null && "_zod" in value;
}
