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
    if (!model.name || model.name === "JobBase") {
      throw new TypeError("a job model must be a named class: class TrainingJob extends Job(Payload) {}");
    }
    this.name = model.name;
    this.key = kebabCase(model.name);
  }
}
