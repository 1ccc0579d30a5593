import SchemaBuilder from "@pothos/core";
import RelayPlugin from "@pothos/plugin-relay";
import type { GraphQLContext } from "./context.js";

/** Pothos type settings shared by every jobstar schema. */
export interface BuilderTypes {
  Context: GraphQLContext;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: Date; Output: Date | string };
  };
  DefaultFieldNullability: false;
  /** Every connection carries the total count of matching items (see `connectionOptions`). */
  Connection: { totalCount: number };
}

/** A schema builder; one is made per schema because models are registered at run time. */
export type Builder = PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>>;

/** Options of {@link createBuilder}. */
export interface BuilderOptions {
  /** The GraphQL type of a global id (a resource id), or null for ids of no model. Default: none. */
  typenameOf?: (globalId: string) => string | null;
}

/**
 * A fresh builder with the relay plugin. A job's global id is its resource id
 * (`training-job:<uuid>`), readable as is, rather than Relay's base64 default.
 */
export function createBuilder(options: BuilderOptions = {}): Builder {
  const typenameOf = options.typenameOf ?? (() => null);
  return new SchemaBuilder<BuilderTypes>({
    plugins: [RelayPlugin],
    defaultFieldNullability: false,
    relay: {
      clientMutationId: "omit",
      cursorType: "String",
      encodeGlobalID: (_typename, id) => String(id),
      decodeGlobalID: (globalID) => ({ typename: typenameOf(globalID) ?? "", id: globalID }),
      // Relay's `node`/`nodes` fail on an id of no type; jobstar's own (types/generic.ts) answer null.
      nodeQueryOptions: false,
      nodesQueryOptions: false,
    },
  });
}
