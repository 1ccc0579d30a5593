/**
 * JSON Schema of a model's zod schema, for clients that build forms or validate before submitting.
 */
import { z } from "zod";

/** A JSON Schema document (draft 2020-12). */
export type JsonSchema = z.core.JSONSchema.JSONSchema;

/** Options of {@link toJsonSchema}. */
export interface ToJsonSchemaOptions {
  /** Describe what clients send (`"input"`) or what the schema produces (`"output"`, the default). */
  io?: "input" | "output";
  /**
   * What to do with types JSON Schema cannot express (bigint, Map, custom, …): `"any"` (the
   * default) describes them as `{}`, `"throw"` raises zod's error. Dates are always
   * `{ type: "string", format: "date-time" }`, as they travel as ISO 8601 strings.
   */
  unrepresentable?: "any" | "throw";
}

/** The JSON Schema (draft 2020-12) of `schema`, descriptions and metadata included. */
export function toJsonSchema(schema: z.core.$ZodType, options: ToJsonSchemaOptions = {}): JsonSchema {
  const fallback = options.unrepresentable ?? "any";
  const result = z.toJSONSchema(schema, {
    io: options.io ?? "output",
    unrepresentable: ({ zodSchema }) =>
      zodSchema._zod.def.type === "date" ? { type: "string", format: "date-time" } : fallback,
  });
  // Copy the own enumerable keys only: zod attaches a non-enumerable "~standard" member.
  return { ...result };
}
