import { ConfigurationError } from "../errors.js";
import type { JobModel } from "./job.js";
import type { MigrationStep, PayloadStep } from "./migration.js";
import { kebabCase } from "./naming.js";

/**
 * A job model at a schema version: what `spec.addModel` registers. Payloads stored at
 * older versions are migrated by the steps of {@link step}:
 * `new Schema(TrainingJob, "v3").step("v1", toV2).step("v2", toV3)`.
 */
export class Schema<M extends JobModel = JobModel> {
  /** The model's name, from its class name (`TrainingJob`). */
  readonly name: string;
  /** The resource id prefix and queue task name (`training-job`). */
  readonly key: string;
  private readonly chain: MigrationStep[] = [];

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

  /**
   * Adds the migration of payloads stored at version `from` to the next version of the
   * chain: the `from` of the next step, or this schema's version for the last step.
   * Steps are given oldest first. A job stored at an older version is migrated (and the
   * migration recorded as a revision by `jobstar:migration`) before its handler runs;
   * readers see its payload migrated. The chain's result must pass the payload schema.
   */
  step(from: string, migrate: PayloadStep): this {
    if (typeof from !== "string" || from.trim() === "" || typeof migrate !== "function") {
      throw new ConfigurationError(`${this.name}: step(from, migrate) takes a version string and a function`);
    }
    if (from === this.version || this.chain.some((step) => step.from === from)) {
      throw new ConfigurationError(
        `${this.name}: there is already a step from ${from} (or it is the current version)`,
      );
    }
    this.chain.push({ from, migrate });
    return this;
  }

  /** The migration steps, oldest version first. */
  get steps(): readonly MigrationStep[] {
    return this.chain;
  }
}

function isZodSchema(value: unknown): boolean {
  return typeof value === "object" && value !== null && "_zod" in value;
}
