import { readFile } from "node:fs/promises";
import { printSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { addDemoModels } from "../../examples/demo-models.js";
import { buildSchema } from "../../src/graphql/schema.js";
import { createGraphQLHandler } from "../../src/graphql/yoga.js";
import { ConfigurationError, Job, Schema, Spec, UnsupportedSchemaError } from "../../src/index.js";
import { ScriptJob, script, TrainingJob, training } from "../fixtures/models.js";
import { testSpec } from "../support/spec.js";

// Building a schema never opens the database: a URL that is never used will do.
const UNUSED_URL = "postgres://unused.invalid/jobstar";

const print = (spec: Spec) => printSchema(buildSchema(spec));

describe("the GraphQL schema", () => {
  it("of the fixture models matches its snapshot", async () => {
    await expect(print(testSpec(UNUSED_URL, "simple"))).toMatchFileSnapshot(
      "./__snapshots__/schema.graphql.snap",
    );
  });

  it("of the demo models is what schema.graphql holds", async () => {
    const printed = `${print(addDemoModels(new Spec()))}\n`;
    const current = await readFile(new URL("../../schema.graphql", import.meta.url), "utf8").catch(() => "");
    expect(current, "schema.graphql is out of date: run npm run schema").toBe(printed);
  });

  it("is the same every time it is built, whatever the registration order", () => {
    const forwards = () =>
      new Spec()
        .addModel(new Schema(TrainingJob, "v1"), { jobHandler: training })
        .addModel(new Schema(ScriptJob, "v1"), { jobHandler: script });
    const backwards = new Spec()
      .addModel(new Schema(ScriptJob, "v1"))
      .addModel(new Schema(TrainingJob, "v1"));
    const first = print(forwards());
    expect(print(forwards())).toBe(first);
    expect(print(backwards)).toBe(first);
  });

  it("derives every name from the model names", () => {
    const schema = buildSchema(testSpec(UNUSED_URL, "simple"));
    const query = Object.keys(schema.getQueryType()?.getFields() ?? {});
    const mutation = Object.keys(schema.getMutationType()?.getFields() ?? {});
    const subscription = Object.keys(schema.getSubscriptionType()?.getFields() ?? {});
    expect(query).toEqual([
      "job",
      "jobModels",
      "jobs",
      "node",
      "nodes",
      "scriptJob",
      "scriptJobs",
      "trainingJob",
      "trainingJobs",
      "viewer",
    ]);
    expect(mutation).toEqual([
      "cancelScriptJob",
      "cancelTrainingJob",
      "migrateScriptJobs",
      "migrateTrainingJobs",
      "rerunScriptJob",
      "rerunTrainingJob",
      "submitJob",
      "submitScriptJob",
      "submitScriptJobs",
      "submitTrainingJob",
      "submitTrainingJobs",
    ]);
    expect(subscription).toEqual(["jobStatus", "scriptJobEvents", "trainingJobEvents"]);
    for (const name of [
      "TrainingJob",
      "TrainingPayload",
      "TrainingPayloadInput",
      "TrainingArtifact",
      "TrainingJobConnection",
      "TrainingJobRevision",
      "SubmitTrainingJobInput",
      "SubmitJobInput",
    ]) {
      expect(schema.getType(name), name).toBeDefined();
    }
  });
});

describe("registering a model the API cannot express fails clearly", () => {
  const register = (payload: z.ZodObject, artifact?: z.ZodObject) => {
    class OddJob extends Job(payload, artifact) {}
    const spec = new Spec();
    let error: unknown;
    try {
      spec.addModel(new Schema(OddJob, "v1"));
    } catch (caught) {
      error = caught;
    }
    return { spec, error };
  };

  it.each([
    [
      "a tuple",
      z.object({ data: z.object({ pair: z.tuple([z.string(), z.number()]) }) }),
      "payload.data.pair",
    ],
    ["a Map", z.object({ lookup: z.map(z.string(), z.number()) }), "payload.lookup"],
    [
      "a tuple in a list",
      z.object({ points: z.array(z.object({ xy: z.tuple([z.number(), z.number()]) })) }),
      "payload.points.xy",
    ],
  ])("on a payload with %s: addModel names the model and the field", (_what, payload, path) => {
    const { spec, error } = register(payload);
    expect(error).toBeInstanceOf(UnsupportedSchemaError);
    expect(error).toMatchObject({ code: "UNSUPPORTED_SCHEMA" });
    expect((error as Error).message).toContain("model OddJob");
    expect((error as Error).message).toContain(`field ${path}: `);
    // Nothing was registered.
    expect(spec.registeredModels()).toEqual([]);
  });

  it("on an artifact with a Map, naming the artifact field", () => {
    const { error } = register(
      z.object({ ok: z.string() }),
      z.object({ counts: z.map(z.string(), z.number()) }),
    );
    expect((error as Error).message).toMatch(/^model OddJob, field artifact\.counts: Map is not supported/);
  });
});

describe("building a schema fails clearly", () => {
  it("without models", () => {
    expect(() => buildSchema(new Spec())).toThrow(ConfigurationError);
    expect(() => buildSchema(new Spec())).toThrow(/register a job model/);
    expect(() => createGraphQLHandler(new Spec())).toThrow(ConfigurationError);
  });
});
