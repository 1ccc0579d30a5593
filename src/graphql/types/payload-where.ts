/**
 * The `payload` argument of a model's list: conditions on its top-level scalar payload
 * fields, generated from the zod schema (`trainingJobs(payload: { algo: { eq: "mlp" } })`).
 */
import { type PayloadFieldKind, payloadFields } from "../../model/payload-fields.js";
import type { Builder } from "../builder.js";
import type { GraphQLModel } from "../models.js";

type FieldFilterRef = ReturnType<typeof makeFieldFilters>[PayloadFieldKind];
const shared = new WeakMap<Builder, Record<PayloadFieldKind, FieldFilterRef>>();

/** The input types of one field's conditions, one per kind, made once per schema. */
function makeFieldFilters(builder: Builder) {
  const ranged = <T extends "Int" | "Float" | "DateTime">(name: string, type: T, what: string) =>
    builder.inputType(name, {
      description: `Conditions on ${what} payload field; all given must hold.`,
      fields: (t) => ({
        eq: t.field({ type, required: false }),
        in: t.field({ type: [type], required: false }),
        gt: t.field({ type, required: false }),
        gte: t.field({ type, required: false }),
        lt: t.field({ type, required: false }),
        lte: t.field({ type, required: false }),
      }),
    });
  return {
    string: builder.inputType("StringFieldFilter", {
      description: "Conditions on a text (or enum) payload field; all given must hold.",
      fields: (t) => ({
        eq: t.string({ required: false }),
        in: t.stringList({ required: false }),
      }),
    }),
    boolean: builder.inputType("BooleanFieldFilter", {
      description: "Conditions on a true/false payload field.",
      fields: (t) => ({ eq: t.boolean({ required: false }) }),
    }),
    integer: ranged("IntFieldFilter", "Int", "an integer"),
    number: ranged("FloatFieldFilter", "Float", "a number"),
    date: ranged("DateTimeFieldFilter", "DateTime", "a date-time"),
  };
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** The model's payload filter input type (`TrainingPayloadWhere`), or null if no field can be filtered. */
export function addPayloadWhere(builder: Builder, model: GraphQLModel) {
  const fields = payloadFields(model.registered.schema.model.payloadSchema).filter((f) =>
    GRAPHQL_NAME.test(f.name),
  );
  if (fields.length === 0) return null;
  let filters = shared.get(builder);
  if (!filters) {
    filters = makeFieldFilters(builder) as Record<PayloadFieldKind, FieldFilterRef>;
    shared.set(builder, filters);
  }
  const byKind = filters;
  return builder.inputType(`${model.payloadTypeName}Where`, {
    description: `Conditions on ${model.typeName} payload fields; all given must hold.`,
    fields: (t) =>
      Object.fromEntries(
        fields.map((field) => [
          field.name,
          t.field({
            type: byKind[field.kind],
            required: false,
            ...(field.values ? { description: `One of: ${field.values.join(", ")}` } : {}),
          }),
        ]),
      ),
  });
}
