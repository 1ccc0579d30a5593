import type { z } from "zod";
import { ValidationError, type ValidationIssue } from "../errors.js";
import type { JobData } from "./job.js";

/** Default cap on a payload's size as JSON, in bytes. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Parses `value` with `schema`; failures become a {@link ValidationError} whose paths start at `root`. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  root: string,
  context: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: [root, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
      message: issue.message,
    }));
    throw new ValidationError(issues, context);
  }
  return result.data;
}

/**
 * Rejects a payload the database cannot store as it is: larger than `maxBytes` as JSON,
 * or holding a NUL character (U+0000), which PostgreSQL's jsonb refuses.
 */
export function checkPayloadStorable(payload: unknown, maxBytes: number, model: string): void {
  const json = JSON.stringify(payload) ?? "";
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) {
    throw new ValidationError(
      [{ path: ["payload"], message: `is ${bytes} bytes as JSON, more than the limit of ${maxBytes}` }],
      `invalid ${model}`,
    );
  }
  // A cheap pre-check on the JSON text; the walk finds the fields (and ignores a literal "\\u0000").
  const issues = json.includes("\\u0000") ? nulPaths(payload, ["payload"]) : [];
  if (issues.length > 0) {
    const message = "must not contain the NUL character (U+0000), which PostgreSQL cannot store";
    throw new ValidationError(
      issues.map((path) => ({ path, message })),
      `invalid ${model}`,
    );
  }
}

function nulPaths(value: unknown, path: (string | number)[]): (string | number)[][] {
  if (typeof value === "string") return value.includes("\u0000") ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => nulPaths(item, [...path, i]));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) =>
      key.includes("\u0000") ? [[...path, key]] : nulPaths(item, [...path, key]),
    );
  }
  return [];
}

type NumericOption =
  | "priority"
  | "timeoutSeconds"
  | "maxRetries"
  | "periodicIntervalSeconds"
  | "periodicMaxRuns"
  | "periodicInitialDelaySeconds";

/**
 * The longest delay (seconds) a job may ask for: 100 years. A delay is added to the
 * current time to schedule a run; unbounded, it could exceed what a Date holds and
 * fail only when the run is scheduled (a RangeError, or a periodic job stuck PROCESSING).
 */
export const MAX_DELAY_SECONDS = 100 * 365 * 24 * 3600;

type OptionRule = { min: number; max?: number; integer: boolean };

/**
 * The priority range: graphile-worker stores priorities as a smallint (and jobstar
 * negates them, as there a lower number runs first).
 */
export const MAX_PRIORITY = 32_767;

const OPTION_RULES: Record<NumericOption, OptionRule> = {
  priority: { min: -MAX_PRIORITY, max: MAX_PRIORITY, integer: true },
  timeoutSeconds: { min: 0.001, max: MAX_DELAY_SECONDS, integer: false },
  maxRetries: { min: 0, integer: true },
  periodicIntervalSeconds: { min: 0.001, max: MAX_DELAY_SECONDS, integer: false },
  periodicMaxRuns: { min: 1, integer: true },
  periodicInitialDelaySeconds: { min: 0, max: MAX_DELAY_SECONDS, integer: false },
};

/** Checks the job options (retry budget, periodic settings, keys) a caller may set. */
export function checkJobOptions(job: JobData, model: string): void {
  const issues: ValidationIssue[] = [];
  for (const [field, rule] of Object.entries(OPTION_RULES) as [NumericOption, OptionRule][]) {
    const value = job[field];
    if (value === null || value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      issues.push({ path: [field], message: "must be a finite number" });
    } else if (rule.integer && !Number.isInteger(value)) {
      issues.push({ path: [field], message: "must be an integer" });
    } else if (value < rule.min) {
      issues.push({ path: [field], message: `must be at least ${rule.min}` });
    } else if (rule.max !== undefined && value > rule.max) {
      issues.push({ path: [field], message: `must be at most ${rule.max}` });
    }
  }
  for (const field of ["partitionKey", "idempotencyKey"] as const) {
    const value = job[field];
    if (value === null || value === undefined) continue;
    if (typeof value !== "string" || value.length === 0 || value.length > 255) {
      issues.push({ path: [field], message: "must be a non-empty string of at most 255 characters" });
    } else if (value.includes("\u0000")) {
      issues.push({ path: [field], message: "must not contain the NUL character (U+0000)" });
    }
  }
  issues.push(...runAtIssues(job));
  if (issues.length > 0) throw new ValidationError(issues, `invalid ${model}`);
}

function runAtIssues(job: JobData): ValidationIssue[] {
  const value = job.runAt;
  if (value === null || value === undefined) return [];
  const time = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) return [{ path: ["runAt"], message: "must be a date and time (ISO 8601)" }];
  if (time > Date.now() + MAX_DELAY_SECONDS * 1000)
    return [{ path: ["runAt"], message: "must be within 100 years from now" }];
  if (job.periodicInitialDelaySeconds !== null && job.periodicInitialDelaySeconds !== undefined)
    return [{ path: ["runAt"], message: "give either runAt or periodicInitialDelaySeconds, not both" }];
  return [];
}
