/**
 * Which payload fields a list can be filtered by, from the model's zod schema: the
 * top-level scalar fields (strings, enums, numbers, booleans, dates), and the check of a
 * filter against them, naming the field at fault.
 */
import type { z } from "zod";
import { ValidationError, type ValidationIssue } from "../errors.js";

/** A value a payload field is compared with; a Date matches its ISO 8601 form. */
export type PayloadValue = string | number | boolean | Date;

/** Conditions on one field; all given must hold. Ranges take numbers or dates. */
export interface PayloadCondition {
  eq?: PayloadValue;
  in?: PayloadValue[];
  gt?: number | Date;
  gte?: number | Date;
  lt?: number | Date;
  lte?: number | Date;
}

/** Per top-level payload field: a value (equality) or conditions. */
export type PayloadFilter = Record<string, PayloadValue | PayloadCondition>;

/** Whether `value` is a set of conditions rather than a value to equal. */
export function isCondition(value: PayloadValue | PayloadCondition): value is PayloadCondition {
  return typeof value === "object" && !(value instanceof Date);
}

/** The kind of a filterable field: what values it is compared with. */
export type PayloadFieldKind = "string" | "number" | "integer" | "boolean" | "date";

/** A filterable payload field. */
export interface PayloadField {
  name: string;
  kind: PayloadFieldKind;
  /** For an enum (or literal) field: its values. */
  values?: readonly (string | number | boolean)[];
}

interface Def {
  type: string;
  innerType?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  entries?: Record<string, string | number>;
  values?: readonly unknown[];
  checks?: { _zod: { def: { check?: string; format?: string } } }[];
  format?: string;
}

const defOf = (schema: z.core.$ZodType) => schema._zod.def as unknown as Def;

/** The top-level scalar fields of a payload schema (none if it is not an object). */
export function payloadFields(schema: z.core.$ZodType): PayloadField[] {
  const def = defOf(unwrap(schema));
  if (def.type !== "object" || !def.shape) return [];
  return Object.entries(def.shape).flatMap(([name, field]) => {
    const kind = kindOf(unwrap(field));
    return kind ? [{ name, ...kind }] : [];
  });
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (let depth = 0; depth < 10; depth++) {
    const def = defOf(current);
    if (
      !["optional", "nullable", "default", "prefault", "readonly", "nonoptional"].includes(def.type) ||
      !def.innerType
    )
      break;
    current = def.innerType;
  }
  return current;
}

function kindOf(schema: z.core.$ZodType): Omit<PayloadField, "name"> | null {
  const def = defOf(schema);
  switch (def.type) {
    case "string":
      return { kind: "string" };
    case "number": {
      const integer =
        def.format?.includes("int") || def.checks?.some((c) => c._zod.def.format?.includes("int"));
      return { kind: integer ? "integer" : "number" };
    }
    case "int":
      return { kind: "integer" };
    case "boolean":
      return { kind: "boolean" };
    case "date":
      return { kind: "date" };
    case "enum":
      return { kind: "string", values: Object.values(def.entries ?? {}).map(String) };
    case "literal": {
      const values = (def.values ?? []).filter((v): v is string | number | boolean =>
        ["string", "number", "boolean"].includes(typeof v),
      );
      const first = values[0];
      if (first === undefined) return null;
      return {
        kind: typeof first === "number" ? "number" : typeof first === "boolean" ? "boolean" : "string",
        values,
      };
    }
    default:
      return null;
  }
}

/**
 * Checks `filter` against the payload's fields and returns it with date strings made
 * Dates: an unknown field, a value of the wrong type, or a range on a field without an
 * order is a {@link ValidationError} naming `payload.<field>`.
 */
export function checkPayloadFilter(schema: z.core.$ZodType, filter: unknown): PayloadFilter {
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
    throw new ValidationError(
      [{ path: ["payload"], message: "must be an object of field conditions" }],
      "invalid filter",
    );
  }
  const fields = new Map(payloadFields(schema).map((f) => [f.name, f]));
  const issues: ValidationIssue[] = [];
  const checked: PayloadFilter = {};
  for (const [name, given] of Object.entries(filter as Record<string, unknown>)) {
    const path = ["payload", name];
    const field = fields.get(name);
    if (!field) {
      const known = [...fields.keys()].join(", ") || "none";
      issues.push({ path, message: `is not a filterable payload field (top-level scalar fields: ${known})` });
      continue;
    }
    const condition = (
      typeof given === "object" && given !== null && !(given instanceof Date) ? given : { eq: given }
    ) as Record<string, unknown>;
    const out: PayloadCondition = {};
    for (const [op, value] of Object.entries(condition)) {
      if (value === undefined || value === null) continue;
      const at = [...path, op];
      if (op === "eq") out.eq = scalar(field, value, at, issues);
      else if (op === "in") {
        if (!Array.isArray(value)) issues.push({ path: at, message: "must be a list" });
        else out.in = value.map((v, i) => scalar(field, v, [...at, i], issues));
      } else if (op === "gt" || op === "gte" || op === "lt" || op === "lte") {
        if (!["number", "integer", "date"].includes(field.kind)) {
          issues.push({ path: at, message: `ranges apply to numbers and dates, not to a ${field.kind}` });
          continue;
        }
        const bound = scalar(field, value, at, issues);
        if (typeof bound === "number" || bound instanceof Date) out[op] = bound;
      } else issues.push({ path: at, message: "is not a condition (eq, in, gt, gte, lt, lte)" });
    }
    checked[name] = out;
  }
  if (issues.length > 0) throw new ValidationError(issues, "invalid filter");
  return checked;
}

function scalar(
  field: PayloadField,
  value: unknown,
  path: (string | number)[],
  issues: ValidationIssue[],
): PayloadValue {
  const fail = (message: string) => {
    issues.push({ path, message });
    return "" as PayloadValue;
  };
  switch (field.kind) {
    case "string":
      if (typeof value !== "string") return fail("must be a string");
      if (field.values && !field.values.includes(value))
        return fail(`must be one of ${field.values.join(", ")}`);
      return value;
    case "number":
    case "integer":
      if (typeof value !== "number" || !Number.isFinite(value)) return fail("must be a number");
      if (field.kind === "integer" && !Number.isInteger(value)) return fail("must be an integer");
      return value;
    case "boolean":
      return typeof value === "boolean" ? value : fail("must be true or false");
    case "date": {
      const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : null;
      if (!date || Number.isNaN(date.getTime())) return fail("must be an ISO 8601 date-time");
      return date;
    }
  }
}
