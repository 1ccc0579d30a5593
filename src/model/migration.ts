import { MigrationError } from "../errors.js";
import type { JobData } from "./job.js";
import type { Schema } from "./schema.js";
import { parseWith } from "./validate.js";

/** Turns a payload stored at one schema version into the payload of the next version. */
export type PayloadStep = (payload: unknown) => unknown;

/** One link of a schema's chain: from `from` to the next version. */
export interface MigrationStep {
  readonly from: string;
  readonly migrate: PayloadStep;
}

/** The user recorded on the revision a migration writes. */
export const MIGRATION_USER = "jobstar:migration";

/**
 * `payload`, stored at version `from`, as the schema's current version has it: the steps
 * from `from` on, in order, then the payload schema's parse. Throws a
 * {@link MigrationError} saying which step or field failed.
 */
export function migratePayload(schema: Schema, from: string, payload: unknown): unknown {
  if (from === schema.version) return payload;
  const start = schema.steps.findIndex((step) => step.from === from);
  const target = `${schema.name} ${schema.version}`;
  if (start === -1) {
    const known = schema.steps.map((step) => step.from).join(", ") || "none";
    throw new MigrationError(
      `cannot migrate the payload from ${from} to ${target}: no step from ${from} (steps from: ${known})`,
    );
  }
  let value = payload;
  for (const step of schema.steps.slice(start)) {
    try {
      value = step.migrate(value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MigrationError(
        `cannot migrate the payload from ${from} to ${target}: the step from ${step.from} threw: ${reason}`,
        { cause: error },
      );
    }
  }
  try {
    return parseWith(schema.model.payloadSchema, value, "payload", "invalid migrated payload");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`cannot migrate the payload from ${from} to ${target}: ${reason}`, {
      cause: error,
    });
  }
}

/**
 * `data`, stored at `version`, as readers see it: its payload migrated to the schema's
 * version (in memory; the stored revision is left as it is). A payload that cannot be
 * migrated is shown as stored: its job fails when it is claimed or migrated.
 */
export function currentView(schema: Schema, version: string, data: JobData): JobData {
  if (version === schema.version) return data;
  try {
    return { ...data, payload: migratePayload(schema, version, data.payload) };
  } catch {
    return data;
  }
}
