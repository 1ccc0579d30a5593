/**
 * zod → GraphQL: scalars, type mapping and JSON Schema for model schemas.
 */
export { type JsonSchema, type ToJsonSchemaOptions, toJsonSchema } from "./json-schema.js";
export { type ZodMappingOptions, zodInputType, zodOutputType } from "./mapper.js";
export { addScalars, type ScalarRefs } from "./scalars.js";
