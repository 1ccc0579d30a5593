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
}

/** A schema builder; one is made per schema because models are registered at run time. */
export type Builder = PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>>;

/** A fresh builder with the relay plugin and jobstar's defaults. */
export function createBuilder(): Builder {
  return new SchemaBuilder<BuilderTypes>({
    plugins: [RelayPlugin],
    defaultFieldNullability: false,
    relay: {
      clientMutationId: "omit",
      cursorType: "String",
    },
  });
}
