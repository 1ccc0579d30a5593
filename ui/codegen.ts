// `npm run codegen:ui`: typed documents for the UI's static operations (the `graphql()`
// calls in ui/src). Per-model operations are assembled at run time from the registered
// models and reuse these typed fragments. test/ui/codegen.test.ts fails when out of date.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "./schema.graphql",
  documents: ["ui/src/**/*.{ts,tsx}", "!ui/src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "ui/src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        // urql takes a string as well as a document; a TypedDocumentString is one, with its types.
        documentMode: "string",
        useTypeImports: true,
        enumType: "const",
        scalars: { DateTime: "string", JSON: "unknown" },
        strictScalars: true,
      },
    },
  },
};

export default config;
