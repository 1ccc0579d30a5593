import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toJsonSchema } from "../../src/graphql/zod/index.js";

describe("toJsonSchema", () => {
  const Payload = z
    .object({
      algo: z.enum(["random-forest", "xgboost"]).describe("Learning algorithm"),
      startAt: z.date(),
      depth: z.number().int().default(3),
      length: z.string().transform((value) => value.length),
      big: z.bigint().optional(),
    })
    .describe("Training payload");

  it("describes inputs, with dates as date-time strings", () => {
    expect(toJsonSchema(Payload, { io: "input" })).toEqual({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      description: "Training payload",
      type: "object",
      properties: {
        algo: { description: "Learning algorithm", type: "string", enum: ["random-forest", "xgboost"] },
        startAt: { type: "string", format: "date-time" },
        depth: {
          type: "integer",
          minimum: Number.MIN_SAFE_INTEGER,
          maximum: Number.MAX_SAFE_INTEGER,
          default: 3,
        },
        length: { type: "string" },
        big: {},
      },
      required: ["algo", "startAt", "length"],
    });
  });

  it("defaults to outputs and can throw on unrepresentable types", () => {
    const output = toJsonSchema(z.object({ at: z.date() }));
    expect(output.properties).toEqual({ at: { type: "string", format: "date-time" } });
    expect(Object.keys(output)).not.toContain("~standard");
    expect(() => toJsonSchema(z.object({ big: z.bigint() }), { unrepresentable: "throw" })).toThrow(/BigInt/);
  });
});
