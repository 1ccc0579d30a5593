/**
 * Pothos type parameters of the jobstar builder, for refs made outside `builder.ts`.
 */
import type { BuilderTypes } from "../builder.js";

/** The resolved Pothos schema types of a jobstar builder. */
export type Types = PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>;
