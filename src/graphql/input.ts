import { z } from "zod";

/**
 * GraphQL clients may send `null` for an omitted optional field, which zod's
 * `.optional()` rejects. Drops such nulls where the schema takes `undefined` but
 * not `null`, so that `null` still reaches fields that are truly nullable.
 */
export function dropOptionalNulls(schema: z.ZodType, value: unknown): unknown {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && isRecord(value)) {
    const shape = inner.shape as Record<string, z.ZodType>;
    const result: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      const fieldSchema = shape[key];
      if (!fieldSchema) {
        result[key] = field;
      } else if (field === null) {
        if (fieldSchema.safeParse(null).success || !fieldSchema.safeParse(undefined).success)
          result[key] = null;
      } else {
        result[key] = dropOptionalNulls(fieldSchema, field);
      }
    }
    return result;
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((item) => dropOptionalNulls(inner.element as z.ZodType, item));
  }
  return value;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodNullable ||
    current instanceof z.ZodDefault
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
