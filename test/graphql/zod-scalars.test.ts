import { graphql } from "graphql";
import { describe, expect, it } from "vitest";
import { createBuilder } from "../../src/graphql/builder.js";
import { addScalars } from "../../src/graphql/zod/index.js";

function schemaWith(values: { at: Date | string; json?: unknown }) {
  const builder = createBuilder();
  const { dateTime, json } = addScalars(builder);
  expect(addScalars(builder).dateTime).toBe(dateTime);
  builder.queryType({
    fields: (t) => ({
      at: t.field({ type: dateTime, resolve: () => values.at }),
      echoAt: t.field({
        type: dateTime,
        args: { at: t.arg({ type: dateTime, required: true }) },
        resolve: (_r, a) => a.at,
      }),
      json: t.field({
        type: json,
        nullable: true,
        args: { v: t.arg({ type: json }) },
        resolve: (_r, a) => a.v,
      }),
    }),
  });
  return builder.toSchema();
}

async function run(
  source: string,
  at: Date | string = new Date(0),
  variableValues?: Record<string, unknown>,
) {
  return graphql({ schema: schemaWith({ at }), source, variableValues, contextValue: { user: "test" } });
}

describe("DateTime", () => {
  it("serializes Dates and date strings as ISO 8601", async () => {
    expect((await run("{ at }", new Date("2024-01-31T12:00:00Z"))).data).toEqual({
      at: "2024-01-31T12:00:00.000Z",
    });
    expect((await run("{ at }", "2024-01-31T13:00:00+01:00")).data).toEqual({
      at: "2024-01-31T12:00:00.000Z",
    });
  });

  it("fails to serialize values that are not dates", async () => {
    const result = await run("{ at }", "not a date");
    expect(result.errors?.[0]?.message).toMatch(/DateTime cannot represent "not a date"/);
  });

  it("parses offsets and rejects local or impossible times", async () => {
    const ok = await run('{ echoAt(at: "2024-01-31T12:00:00-02:00") }');
    expect(ok.data).toEqual({ echoAt: "2024-01-31T14:00:00.000Z" });
    for (const bad of ["2024-01-31T12:00:00", "2024-02-30T00:00:00Z", "yesterday"]) {
      const result = await run("query ($at: DateTime!) { echoAt(at: $at) }", undefined, { at: bad });
      expect(result.errors?.[0]?.message).toContain(
        "DateTime must be an ISO 8601 date-time with a time zone",
      );
    }
  });
});

describe("JSON", () => {
  it("accepts every literal kind and variables inside literals", async () => {
    const result = await run(
      'query ($inner: JSON) { json(v: { s: "x", i: 1, f: 1.5, b: false, n: null, l: [1, [2]], o: { v: $inner } }) }',
      undefined,
      { inner: { deep: ["y"] } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.json).toEqual({
      s: "x",
      i: 1,
      f: 1.5,
      b: false,
      n: null,
      l: [1, [2]],
      o: { v: { deep: ["y"] } },
    });
  });

  it("keeps a __proto__ key as data", async () => {
    const result = await run("{ json(v: { __proto__: { polluted: true } }) }");
    const value = result.data?.json as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects bare enum names inside literals", async () => {
    const result = await run("{ json(v: { a: FOO }) }");
    expect(result.errors?.[0]?.message).toMatch(/JSON cannot contain the bare name FOO/);
  });
});
