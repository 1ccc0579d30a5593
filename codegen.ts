// `npm run codegen`: typed documents for the example client. The schema is the demo
// models' (`npm run schema` prints it); the documents are the `graphql()` calls in
// examples/client.ts; the output in examples/gql/ is generated, never edited, and
// test/server/codegen.test.ts fails when it is out of date.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "./schema.graphql",
  documents: ["examples/client.ts"],
  ignoreNoDocuments: false,
  generates: {
    "examples/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        // graphql-ws takes the query as a string: a TypedDocumentString is one, with its types.
        documentMode: "string",
        // NodeNext: relative imports end in `.js`; verbatimModuleSyntax: type-only imports.
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumType: "const",
        scalars: { DateTime: "string", JSON: "unknown" },
        strictScalars: true,
      },
    },
  },
};

export default config;
