/**
 * The public zod → GraphQL type mapping.
 */
import type { InputRefShape, OutputRefShape } from "@pothos/core";
import type { z } from "zod";
import type { ZodSchema } from "../../model/shape/introspect.js";
import { planType } from "../../model/shape/plan.js";
import type { Builder } from "../builder.js";
import { materializeInput, materializeOutput } from "./materialize.js";

/** Options of {@link zodOutputType} and {@link zodInputType}. */
export interface ZodMappingOptions {
  /** Prefix of field paths in error messages, e.g. `["payload"]` → `field payload.config.x`. */
  path?: readonly (string | number)[];
}

/**
 * Registers the GraphQL output types for `schema` on `builder` and returns the ref to use in
 * `t.field({ type })`. Objects become object types named `typeName` (nested objects append the
 * PascalCase field name, e.g. `TrainingPayloadConfig`), enums and literal unions become enums
 * whose internal values are the original zod values, and optional / nullable / defaulted
 * fields become nullable. Wrappers around the root (optional, nullable, …) are dropped: the
 * caller decides the nullability of the field using the ref. The same (schema, name) is
 * registered once per builder.
 *
 * @throws UnsupportedSchemaError if the schema uses a construct GraphQL cannot express or a
 *   derived type name is already used by a different schema.
 */
export function zodOutputType<S extends ZodSchema>(
  builder: Builder,
  schema: S,
  typeName: string,
  modelName: string,
  options: ZodMappingOptions = {},
): OutputRefShape<z.output<S>> {
  const plan = planType(schema, {
    direction: "output",
    typeName,
    model: modelName,
    path: options.path ?? [],
  });
  return materializeOutput(builder, plan, modelName) as OutputRefShape<z.output<S>>;
}

/**
 * Registers the GraphQL input types for `schema` on `builder` and returns the ref to use in
 * `t.arg({ type })` or `t.field({ type })` of an input object. Naming and nullability follow
 * {@link zodOutputType}, except that object types are named `<TypeName>Input` and pipes are
 * mapped by their input side. Arguments arrive unvalidated (omitted optional fields may also
 * be `null`): parse them with the model's zod schema.
 *
 * @throws UnsupportedSchemaError like {@link zodOutputType}.
 */
export function zodInputType(
  builder: Builder,
  schema: ZodSchema,
  typeName: string,
  modelName: string,
  options: ZodMappingOptions = {},
): InputRefShape<unknown> {
  const plan = planType(schema, { direction: "input", typeName, model: modelName, path: options.path ?? [] });
  return materializeInput(builder, plan, modelName) as InputRefShape<unknown>;
}
