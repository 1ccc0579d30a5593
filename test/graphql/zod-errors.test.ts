import { describe, expect, it } from "vitest";
import { z } from "zod";
import { UnsupportedSchemaError } from "../../src/errors.js";
import { createBuilder } from "../../src/graphql/builder.js";
import { zodInputType, zodOutputType } from "../../src/graphql/zod/index.js";

function mapBoth(schema: z.core.$ZodType) {
  const wrapped = z.object({ config: z.object({ x: schema }) });
  const attempts = [
    () => zodOutputType(createBuilder(), wrapped, "TrainingPayload", "TrainingJob", { path: ["payload"] }),
    () => zodInputType(createBuilder(), wrapped, "TrainingPayload", "TrainingJob", { path: ["payload"] }),
  ];
  return attempts.map((attempt) => {
    try {
      attempt();
    } catch (error) {
      return error;
    }
    return undefined;
  });
}

const selfLoop: z.ZodType = z.lazy(() => selfLoop);

const unsupported: [string, z.core.$ZodType][] = [
  ["non-literal union", z.union([z.string(), z.number()])],
  ["literal mixed with string", z.union([z.literal("a"), z.string()])],
  ["tuple", z.tuple([z.string(), z.number()])],
  ["map", z.map(z.string(), z.number())],
  ["set", z.set(z.string())],
  ["function", z.function()],
  ["bigint", z.bigint()],
  ["symbol", z.symbol()],
  ["promise", z.promise(z.string())],
  ["intersection", z.intersection(z.object({ a: z.string() }), z.object({ b: z.string() }))],
  ["custom", z.custom<string>()],
  ["instanceof", z.instanceof(Date)],
  ["never", z.never()],
  ["null", z.null()],
  ["undefined", z.undefined()],
  ["void", z.void()],
  ["nan", z.nan()],
  ["file", z.file()],
  ["boolean literal", z.literal(true)],
  ["bigint literal", z.literal(10n)],
  ["null-only literal", z.literal([null])],
  ["lazy returning itself", selfLoop],
];

describe("unsupported zod constructs", () => {
  it.each(unsupported)("%s throws UnsupportedSchemaError with the field path", (_name, schema) => {
    for (const error of mapBoth(schema)) {
      expect(error).toBeInstanceOf(UnsupportedSchemaError);
      expect((error as Error).message).toMatch(/^model TrainingJob, field payload\.config\.x: /);
    }
  });

  it("rejects transforms whose output is unknown on outputs only", () => {
    const schema = z.object({ length: z.string().transform((value) => value.length) });
    expect(zodInputType(createBuilder(), schema, "T", "M")).toBeDefined();
    expect(() => zodOutputType(createBuilder(), schema, "T", "M")).toThrow(
      "model M, field length: the output type of a transform cannot be determined",
    );
  });

  it("rejects preprocess on inputs only", () => {
    const schema = z.object({ n: z.preprocess((value) => Number(value), z.number()) });
    expect(zodOutputType(createBuilder(), schema, "T", "M")).toBeDefined();
    expect(() => zodInputType(createBuilder(), schema, "T", "M")).toThrow(
      "model M, field n: the input type of a transform (e.g. z.preprocess) cannot be determined",
    );
  });

  it("rejects field names GraphQL cannot express", () => {
    const schema = z.object({ nested: z.object({ "max-depth": z.number() }) });
    expect(() => zodOutputType(createBuilder(), schema, "T", "M")).toThrow(
      'model M, field nested.max-depth: "max-depth" is not a valid GraphQL field name',
    );
  });

  it("rejects invalid type names", () => {
    expect(() => zodOutputType(createBuilder(), z.string(), "bad-name", "M")).toThrow(UnsupportedSchemaError);
  });

  it("rejects unsupported roots with the (root) path", () => {
    expect(() => zodOutputType(createBuilder(), z.bigint(), "T", "M")).toThrow(
      /^model M, field \(root\): bigint/,
    );
  });
});

describe("type registration", () => {
  it("returns the same refs for the same schema and name", () => {
    const builder = createBuilder();
    const schema = z.object({ algo: z.enum(["a-b", "c"]), nested: z.object({ x: z.number() }) });
    const first = zodOutputType(builder, schema, "Payload", "M");
    expect(zodOutputType(builder, schema, "Payload", "M")).toBe(first);
    const input = zodInputType(builder, schema, "Payload", "M");
    expect(zodInputType(builder, schema, "Payload", "M")).toBe(input);
  });

  it("throws on name collisions between different schemas", () => {
    const builder = createBuilder();
    zodOutputType(builder, z.object({ a: z.string() }), "Payload", "First");
    expect(() => zodOutputType(builder, z.object({ a: z.string() }), "Payload", "Second")).toThrow(
      'model Second, field (root): GraphQL type name "Payload" is already used by a different schema (model First, field (root))',
    );
    zodOutputType(builder, z.object({ x: z.enum(["a"]) }), "Other", "Third", { path: ["payload"] });
    expect(() => zodOutputType(builder, z.enum(["b"]), "OtherX", "Fourth")).toThrow(
      'GraphQL type name "OtherX" is already used by a different schema (model Third, field payload.x)',
    );
  });

  it("throws on collisions inside one schema without registering anything", () => {
    const builder = createBuilder();
    const schema = z.object({ a_b: z.object({ x: z.string() }), aB: z.object({ y: z.string() }) });
    expect(() => zodOutputType(builder, schema, "P", "M")).toThrow(
      'model M, field aB: GraphQL type name "PAB" is also derived for a different schema at a_b',
    );
    // Nothing was registered, so the names are still free.
    expect(() => zodOutputType(builder, z.object({ x: z.string() }), "PAB", "M")).not.toThrow();
  });

  it("names enum values deterministically", () => {
    const builder = createBuilder();
    const values: [string, ...string[]] = ["random-forest", "random_forest", "1st", "true", "__x", "", "ok"];
    zodOutputType(builder, z.enum(values), "Algo", "M");
    builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
    const type = builder.toSchema().getType("Algo");
    const names =
      type && "getValues" in type ? type.getValues().map((value) => [value.value, value.name]) : [];
    expect(Object.fromEntries(names)).toEqual({
      "random-forest": "random_forest_2",
      random_forest: "random_forest",
      "1st": "_1st",
      true: "_true",
      __x: "_x",
      "": "_",
      ok: "ok",
    });
  });
});
