import { type GraphQLSchema, lexicographicSortSchema } from "graphql";
import { ConfigurationError } from "../errors.js";
import type { Spec } from "../spec.js";
import { createBuilder } from "./builder.js";
import { ModelDirectory } from "./models.js";
import { addCommonTypes } from "./types/common.js";
import { addGenericFields, addViewer } from "./types/generic.js";
import { addModel } from "./types/model.js";
import { addScalars } from "./zod/index.js";

/**
 * The GraphQL schema of a spec's registered models: per model a type, queries,
 * `submit…`/`rerun…`/`cancel…` mutations and an events subscription, plus the
 * generic `job`, `node`, `jobModels`, `submitJob` and `jobStatus`. Names derive from
 * model names, and the schema is sorted, so the same models give the same schema.
 */
export function buildSchema(spec: Spec): GraphQLSchema {
  const directory = new ModelDirectory(spec);
  if (directory.models.length === 0)
    throw new ConfigurationError("register a job model before building its GraphQL schema");
  const builder = createBuilder({ typenameOf: (id) => directory.ofResourceId(id)?.typeName ?? null });
  addScalars(builder);
  builder.queryType({});
  builder.mutationType({});
  builder.subscriptionType({});
  const common = addCommonTypes(builder, directory);
  const models = directory.models.map((model) => addModel(builder, model, common, directory));
  addGenericFields(builder, common, directory, models);
  addViewer(builder);
  return lexicographicSortSchema(builder.toSchema());
}
