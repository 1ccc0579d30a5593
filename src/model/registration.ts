import type { JobHandler } from "./handler.js";
import type { JobModel, JobOf } from "./job.js";
import type { AuthorizationPolicy } from "./policy.js";
import type { Schema } from "./schema.js";
import { planType } from "./shape/plan.js";
import { DEFAULT_MAX_PAYLOAD_BYTES } from "./validate.js";

/** Options of `spec.addModel`. */
export interface ModelOptions<M extends JobModel = JobModel> {
  /** Processes the model's jobs; a model without one can be submitted but not consumed here. */
  jobHandler?: JobHandler<JobOf<M>>;
  /** A run taking longer fails (spending a retry) and its signal aborts. Default: no limit. */
  timeoutSeconds?: number;
  /** The largest payload accepted, as JSON bytes. Default: 1 MiB. */
  maxPayloadBytes?: number;
  /**
   * Who may do what to the model's jobs when a caller is authenticated (an API server
   * with `authenticate`). Default: `defaultPolicy` (owners their own jobs, `admin` all,
   * `viewer` read all).
   */
  authorize?: AuthorizationPolicy;
}

/** A model as the registry keeps it. */
export interface RegisteredModel {
  readonly schema: Schema;
  readonly handler: JobHandler | null;
  readonly timeoutSeconds: number | null;
  readonly maxPayloadBytes: number;
  /** The model's own policy, if it has one (else the default applies). */
  readonly authorize: AuthorizationPolicy | null;
}

/** Checks `options` and makes the registry entry. */
export function registerModel<M extends JobModel>(
  schema: Schema<M>,
  options: ModelOptions<M>,
): RegisteredModel {
  const { timeoutSeconds, maxPayloadBytes } = options;
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) {
    throw new RangeError(`${schema.name}: timeoutSeconds must be > 0`);
  }
  if (maxPayloadBytes !== undefined && !(maxPayloadBytes > 0)) {
    throw new RangeError(`${schema.name}: maxPayloadBytes must be > 0`);
  }
  checkShape(schema);
  return {
    schema,
    handler: (options.jobHandler as JobHandler | undefined) ?? null,
    timeoutSeconds: timeoutSeconds ?? null,
    maxPayloadBytes: maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    authorize: options.authorize ?? null,
  };
}

/** Fails (naming the model and field) when a payload or artifact schema has no API shape. */
function checkShape(schema: Schema): void {
  const { payloadSchema, artifactSchema } = schema.model;
  const plan = (zod: typeof payloadSchema, root: string, direction: "input" | "output") =>
    planType(zod, { direction, typeName: schema.name, model: schema.name, path: [root] });
  plan(payloadSchema, "payload", "input");
  plan(payloadSchema, "payload", "output");
  if (artifactSchema) plan(artifactSchema, "artifact", "output");
}
