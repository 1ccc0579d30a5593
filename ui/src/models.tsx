// What the UI knows about the API: the registered job models (from `jobModels`) and
// the schema's types (from introspection), so that a new model shows up without any
// change here.
import { createContext, useContext } from "react";
import type { JobModelsQuery, SchemaTypesQuery, TypeRefFragment } from "./gql/graphql.ts";

/** A JSON Schema document as the API returns it. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
  title?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  additionalProperties?: boolean | JsonSchema;
};

/** A registered job model with the names of its GraphQL fields. */
export interface Model {
  name: string;
  key: string;
  version: string;
  payloadSchema: JsonSchema;
  artifactSchema: JsonSchema | null;
  /** `trainingJob`: the query of one job; `trainingJobs` lists them; `trainingJobEvents` streams them. */
  field: string;
}

type SchemaType = SchemaTypesQuery["__schema"]["types"][number];

/** The models and the schema, as loaded once per page load. */
export interface Api {
  models: Model[];
  types: Map<string, SchemaType>;
}

export function toApi(models: JobModelsQuery, schema: SchemaTypesQuery): Api {
  const types = new Map<string, SchemaType>();
  for (const type of schema.__schema.types) if (type.name) types.set(type.name, type);
  return {
    types,
    models: models.jobModels.map((m) => ({
      name: m.name,
      key: m.key,
      version: m.version,
      payloadSchema: (m.payloadSchema ?? {}) as JsonSchema,
      artifactSchema: (m.artifactSchema ?? null) as JsonSchema | null,
      field: m.name.charAt(0).toLowerCase() + m.name.slice(1),
    })),
  };
}

export const ApiContext = createContext<Api | null>(null);

/** The loaded API description (rendered only once it is loaded). */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside ApiContext");
  return api;
}

/** Whether `typeName` has a field `field` (optional fields the server may not offer yet). */
export function hasField(api: Api, typeName: string, field: string): boolean {
  return api.types.get(typeName)?.fields?.some((f) => f.name === field) ?? false;
}

/** The model of a job id (`training-job:<uuid>` → TrainingJob). */
export function modelOfId(api: Api, id: string): Model | undefined {
  const key = id.slice(0, id.indexOf(":"));
  return api.models.find((m) => m.key === key);
}

function namedType(ref: TypeRefFragment | null | undefined): TypeRefFragment | null {
  let type = ref ?? null;
  while (type && (type.kind === "NON_NULL" || type.kind === "LIST"))
    type = (type.ofType as TypeRefFragment) ?? null;
  return type;
}

/**
 * The selection set of field `field` of `typeName`: empty for a scalar or an enum,
 * else `{ … }` with every field, nested objects included (to a sane depth).
 */
export function selectionOf(api: Api, typeName: string, field: string, depth = 0): string {
  const type = api.types.get(typeName);
  const target = namedType(type?.fields?.find((f) => f.name === field)?.type);
  if (!target?.name || target.kind !== "OBJECT") return "";
  const objectType = api.types.get(target.name);
  if (!objectType?.fields || depth > 6) return "";
  const parts = objectType.fields.map(
    (f) => `${f.name} ${selectionOf(api, target.name as string, f.name, depth + 1)}`,
  );
  return `{ ${parts.join(" ")} }`;
}
