import { graphql, lexicographicSortSchema, printSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createBuilder } from "../../src/graphql/builder.js";
import { addScalars, zodInputType, zodOutputType } from "../../src/graphql/zod/index.js";

interface TreeNode {
  label: string;
  children?: TreeNode[] | undefined;
}
const TreeNode: z.ZodType<TreeNode> = z.object({
  label: z.string(),
  get children() {
    return z.array(TreeNode).optional();
  },
});

enum Priority {
  Low = "low-priority",
  High = "HIGH",
}

const TrainingPayload = z
  .object({
    name: z.string().describe("Name of the run"),
    algo: z.enum(["random-forest", "xgboost", "linear", "1d-conv"]).describe("Learning algorithm"),
    priority: z.enum(Priority),
    epochs: z.number().int(),
    batchSize: z.int32(),
    seed: z.uint32(),
    learningRate: z.number().meta({ description: "Step size" }),
    verbose: z.boolean(),
    tags: z.array(z.string()),
    matrix: z.array(z.array(z.number())),
    sparse: z.array(z.string().nullable()).optional(),
    startAt: z.date(),
    isoString: z.iso.datetime(),
    templated: z.templateLiteral(["run-", z.number()]),
    config: z
      .object({
        depth: z.number().int().default(3),
        optimizer: z.literal("adam").or(z.literal("sgd")),
        loss: z.union([z.literal("mse"), z.literal("cross-entropy")]),
        extra: z.record(z.string(), z.unknown()),
      })
      .describe("Model configuration"),
    single: z.literal("only"),
    meta: z.record(z.string(), z.string()),
    anything: z.unknown(),
    whatever: z.any(),
    blob: z.json(),
    note: z.string().optional(),
    nullableNote: z.string().nullable(),
    nullishNote: z.string().nullish(),
    nullUnion: z.union([z.number(), z.null()]),
    defaulted: z.boolean().default(false),
    prefaulted: z.string().prefault("x"),
    required: z.string().optional().nonoptional(),
    caught: z.number().catch(0),
    frozen: z.array(z.string()).readonly(),
    lazy: z.lazy(() => z.string()),
    trimmed: z
      .string()
      .transform((value) => value.trim())
      .pipe(z.string()),
    enabled: z.stringbool(),
    refined: z.string().refine((value) => value.length > 0, "must not be empty"),
    points: z.array(z.object({ x: z.number(), y: z.number() }).describe("A point")),
    tree: TreeNode,
    empty: z.object({}),
  })
  .describe("What a training job needs");

function buildSchema() {
  const builder = createBuilder();
  addScalars(builder);
  const payloadOut = zodOutputType(builder, TrainingPayload, "TrainingPayload", "TrainingJob");
  const payloadIn = zodInputType(builder, TrainingPayload, "TrainingPayload", "TrainingJob");
  const artifact = zodOutputType(builder, z.string().optional(), "TrainingArtifact", "TrainingJob");
  const Result = z.array(z.object({ score: z.number(), label: z.enum(["good", "bad"]) }));
  const results = zodOutputType(builder, Result, "TrainingResult", "TrainingJob");
  const resultsIn = zodInputType(builder, Result, "TrainingResult", "TrainingJob");
  const statusEnum = z.enum(["to-do", "done"]);
  const status = zodOutputType(builder, statusEnum, "Status", "TrainingJob");
  const statusIn = zodInputType(builder, statusEnum, "Status", "TrainingJob");
  builder.queryType({
    fields: (t) => ({
      echo: t.field({
        type: payloadOut,
        args: { input: t.arg({ type: payloadIn, required: true }) },
        resolve: (_root, args) => TrainingPayload.parse(args.input),
      }),
      artifact: t.field({ type: artifact, nullable: true, resolve: () => "model.bin" }),
      results: t.field({
        type: results,
        args: { input: t.arg({ type: resultsIn, required: true }) },
        resolve: (_root, args) => Result.parse(args.input),
      }),
      status: t.field({
        type: status,
        args: { input: t.arg({ type: statusIn, required: true }) },
        resolve: (_root, args) => statusEnum.parse(args.input),
      }),
    }),
  });
  return builder.toSchema();
}

const payloadInput = {
  name: "run",
  algo: "random_forest",
  priority: "Low",
  epochs: 3,
  batchSize: 32,
  seed: 4_000_000_000,
  learningRate: 0.01,
  verbose: true,
  tags: ["a"],
  matrix: [[1, 2]],
  startAt: "2024-01-31T12:00:00+01:00",
  isoString: "2024-01-31T12:00:00Z",
  templated: "run-1",
  config: { optimizer: "sgd", loss: "cross_entropy", extra: { nested: { deep: [1, "x", null] } } },
  single: "only",
  meta: { k: "v" },
  anything: [1, { two: 2 }],
  whatever: "w",
  blob: { a: [true, null] },
  nullableNote: null,
  nullUnion: null,
  required: "yes",
  caught: 1,
  frozen: [],
  lazy: "l",
  trimmed: "  padded  ",
  enabled: "yes",
  refined: "ok",
  points: [{ x: 1, y: 2 }],
  tree: { label: "root", children: [{ label: "leaf" }] },
  empty: {},
};

const ECHO = /* GraphQL */ `
  query Echo($input: TrainingPayloadInput!) {
    echo(input: $input) {
      name algo priority epochs startAt config { depth optimizer loss extra }
      anything blob enabled trimmed seed nullableNote defaulted
      tree { label children { label children { label } } }
    }
  }
`;

describe("zod → GraphQL mapping", () => {
  it("prints the expected schema", async () => {
    const printed = printSchema(lexicographicSortSchema(buildSchema()));
    // Not a .graphql file: Biome would reformat it and break the comparison.
    await expect(printed).toMatchFileSnapshot("./__snapshots__/zod-mapping.graphql.snap");
  });

  it("round-trips enums, DateTime and JSON through variables", async () => {
    const result = await graphql({
      schema: buildSchema(),
      source: ECHO,
      variableValues: { input: payloadInput },
      contextValue: { user: "test" },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.echo).toEqual({
      name: "run",
      algo: "random_forest",
      priority: "Low",
      epochs: 3,
      startAt: "2024-01-31T11:00:00.000Z",
      config: {
        depth: 3,
        optimizer: "sgd",
        loss: "cross_entropy",
        extra: { nested: { deep: [1, "x", null] } },
      },
      anything: [1, { two: 2 }],
      blob: { a: [true, null] },
      enabled: true,
      trimmed: "padded",
      seed: 4_000_000_000,
      nullableNote: null,
      defaulted: false,
      tree: { label: "root", children: [{ label: "leaf", children: null }] },
    });
  });

  it("hands resolvers the original enum values and parsed scalars", async () => {
    const builder = createBuilder();
    addScalars(builder);
    const Input = z.object({
      algo: z.enum(["random-forest", "xgboost"]),
      loss: z.literal("cross-entropy").or(z.literal("mse")),
      at: z.date(),
      data: z.json(),
    });
    const seen: unknown[] = [];
    const input = zodInputType(builder, Input, "Probe", "TrainingJob");
    const output = zodOutputType(builder, Input, "Probe", "TrainingJob");
    builder.queryType({
      fields: (t) => ({
        probe: t.field({
          type: output,
          args: { input: t.arg({ type: input, required: true }) },
          resolve: (_root, args) => {
            seen.push(args.input);
            const value: z.output<typeof Input> = {
              algo: "random-forest",
              loss: "cross-entropy",
              at: new Date("2024-05-01T00:00:00Z"),
              data: [1],
            };
            return value;
          },
        }),
      }),
    });
    const result = await graphql({
      schema: builder.toSchema(),
      source: `{ probe(input: {
        algo: random_forest, loss: cross_entropy, at: "2024-01-31T12:00:00Z",
        data: { list: [1, 2.5, "s", true, null], obj: { k: { deeper: [] } } }
      }) { algo loss at data } }`,
      contextValue: { user: "test" },
    });
    expect(result.errors).toBeUndefined();
    expect(seen).toEqual([
      {
        algo: "random-forest",
        loss: "cross-entropy",
        at: new Date("2024-01-31T12:00:00Z"),
        data: { list: [1, 2.5, "s", true, null], obj: { k: { deeper: [] } } },
      },
    ]);
    expect(result.data?.probe).toEqual({
      algo: "random_forest",
      loss: "cross_entropy",
      at: "2024-05-01T00:00:00.000Z",
      data: [1],
    });
  });

  it("rejects invalid DateTime values with a clear message", async () => {
    const schema = buildSchema();
    const variables = await graphql({
      schema,
      source: ECHO,
      variableValues: { input: { ...payloadInput, startAt: "2024-02-30T00:00:00Z" } },
      contextValue: { user: "test" },
    });
    expect(variables.errors?.[0]?.message).toMatch(
      /DateTime must be an ISO 8601 date-time with a time zone, e\.g\. "2024-01-31T12:00:00Z"; got "2024-02-30T00:00:00Z"/,
    );
    const literal = await graphql({
      schema,
      source: `{ results(input: [{ score: 1, label: good }]) { score } echo(input: { startAt: 5 }) { name } }`,
      contextValue: { user: "test" },
    });
    expect(literal.errors?.map((error) => error.message).join("\n")).toMatch(/DateTime must be a string/);
  });

  it("maps non-object roots", async () => {
    const result = await graphql({
      schema: buildSchema(),
      source: `{ artifact results(input: [{ score: 0.5, label: good }]) { score label } status(input: to_do) }`,
      contextValue: { user: "test" },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      artifact: "model.bin",
      results: [{ score: 0.5, label: "good" }],
      status: "to_do",
    });
  });
});
