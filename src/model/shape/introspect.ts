/**
 * Read-only helpers over zod 4's public introspection (`_zod.def`, the global metadata registry).
 */
import { z } from "zod";

/** Any zod 4 schema (classic or mini). */
export type ZodSchema = z.core.$ZodType;

/** Which side of a schema GraphQL sees: what clients send, or what resolvers return. */
export type Direction = "input" | "output";

/** The definition of `schema`, typed as the union of every built-in definition. */
export type ZodDef = z.core.$ZodTypes["_zod"]["def"];

/** The definition of `schema`, narrowable by its `type`. */
export function defOf(schema: ZodSchema): ZodDef {
  return (schema as z.core.$ZodTypes)._zod.def;
}

/** The description given by `.describe()` or `.meta({ description })`, if any. */
export function descriptionOf(schema: ZodSchema): string | undefined {
  return z.globalRegistry.get(schema)?.description;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * The number format (`safeint`, `int32`, `uint32`, `float64`, …) of a number schema, from the
 * schema itself (`z.int()`) or one of its checks (`z.number().int()`).
 */
export function numberFormat(schema: ZodSchema): string | undefined {
  const def: unknown = schema._zod.def;
  const checks = schema._zod.def.checks ?? [];
  for (const candidate of [def, ...checks.map((check): unknown => check._zod.def)]) {
    if (isRecord(candidate) && candidate.check === "number_format" && typeof candidate.format === "string") {
      return candidate.format;
    }
  }
  return undefined;
}

/** Whether `schema` accepts only `null` and/or `undefined`. */
export function isNullish(schema: ZodSchema): boolean {
  const def = defOf(schema);
  if (def.type === "null" || def.type === "undefined" || def.type === "void") return true;
  return def.type === "literal" && def.values.every((value) => value === null || value === undefined);
}

const JSON_MEMBERS = new Set(["string", "number", "boolean", "null", "array", "record"]);

/**
 * Whether a union is zod's `z.json()` shape: strings, numbers, booleans, arrays and records,
 * optionally null, and nothing else.
 */
export function isJsonUnion(options: readonly ZodSchema[]): boolean {
  const types = new Set<string>(options.map((option) => defOf(option).type));
  return (
    [...types].every((type) => JSON_MEMBERS.has(type)) &&
    ["string", "number", "boolean", "array", "record"].every((type) => types.has(type))
  );
}

/** A schema with its wrappers (optional, nullable, default, pipe, lazy, …) removed. */
export interface Peeled {
  /** The innermost schema: the one that decides the GraphQL type. */
  schema: ZodSchema;
  /** Whether a wrapper lets the value be absent or null. */
  nullable: boolean;
  /** The outermost description found from the outside in. */
  description: string | undefined;
}

/** How many wrappers `peel` follows before giving up (guards against `z.lazy` loops). */
const MAX_WRAPPERS = 64;

/**
 * Strips the wrappers GraphQL cannot see. Optional, nullable, default, prefault (and catch on
 * input) make the value nullable; `nonoptional` cancels the optionality below it; pipes follow
 * their input side for inputs and their output side for outputs; unions with `null` /
 * `undefined` members become nullable. Returns `undefined` if the wrappers do not end.
 */
export function peel(schema: ZodSchema, direction: Direction): Peeled | undefined {
  let current = schema;
  let nullable = false;
  let required = false;
  let description: string | undefined;
  for (let depth = 0; depth < MAX_WRAPPERS; depth++) {
    description ??= descriptionOf(current);
    const def = defOf(current);
    switch (def.type) {
      case "optional":
      case "default":
      case "prefault":
        nullable ||= !required;
        current = def.innerType;
        break;
      case "catch":
        nullable ||= direction === "input" && !required;
        current = def.innerType;
        break;
      case "nullable":
        nullable = true;
        current = def.innerType;
        break;
      case "nonoptional":
        required = true;
        current = def.innerType;
        break;
      case "readonly":
        current = def.innerType;
        break;
      case "lazy":
        current = def.getter();
        break;
      case "pipe":
        current = direction === "input" ? def.in : def.out;
        break;
      case "union": {
        if (isJsonUnion(def.options)) return { schema: current, nullable, description };
        const members = def.options.filter((option) => !isNullish(option));
        if (members.length < def.options.length) nullable = true;
        const only = members.length === 1 ? members[0] : undefined;
        if (only === undefined) return { schema: current, nullable, description };
        current = only;
        break;
      }
      default:
        return { schema: current, nullable, description };
    }
  }
  return undefined;
}
