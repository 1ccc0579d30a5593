/**
 * Who may do what to a model's jobs: the types of a per-model authorization policy.
 * The policy is enforced by the resource layer (`src/resource/authorize.ts`).
 */

/** An authenticated caller: a user name and its roles (e.g. `admin`, `viewer`). */
export interface Principal {
  user: string;
  roles: string[];
}

/** What a caller asks to do with a model's jobs. */
export type Action = "submit" | "read" | "list" | "cancel" | "rerun" | "subscribe";

/** Every {@link Action}, in a stable order. */
export const ACTIONS: readonly Action[] = ["submit", "read", "list", "cancel", "rerun", "subscribe"];

/** The job an action is about, as a policy sees it. */
export interface JobRef {
  /** `training-job:<uuid>` */
  resourceId: string;
  /** The model's name, e.g. `TrainingJob`. */
  model: string;
  /** Who submitted the job (its resource's `createdBy`). */
  owner: string;
}

/**
 * Decides whether `principal` may do `action` to `job`. Called without a job, it answers
 * for every job of the model: `submit` and `list` are always asked so; a `read` or
 * `subscribe` asked so decides whether lists and model-wide streams show every job or only
 * the caller's own (each of which is then asked about with its job).
 */
export type AuthorizationPolicy = (principal: Principal, action: Action, job?: JobRef) => boolean;
