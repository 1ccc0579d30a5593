// `jobstar export` and `jobstar import` as real processes: the dump on stdout (logs on
// stderr), loaded from stdin into another database, and `--model` choosing a model.
import { Schema, Spec } from "jobstar";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EchoJob } from "../fixtures/cli-models.js";
import { spawnCli } from "../support/child.js";
import { freshDatabase } from "../support/database.js";
import { queueFactory } from "../support/spec.js";

const MODELS = "./test/fixtures/cli-models.ts";
const databases: Awaited<ReturnType<typeof freshDatabase>>[] = [];

beforeAll(async () => {
  databases.push(await freshDatabase(), await freshDatabase());
  const spec = new Spec().configure({
    databaseUrl: databases[0]?.url,
    messageQueueFactory: queueFactory("simple"),
  });
  spec.addModel(new Schema(EchoJob, "v1"));
  const echo = spec.getResourceManager(EchoJob);
  for (const text of ["a", "b", "c"]) await echo.create({ payload: { text } }, { user: "cli" });
  await spec.close();
});

afterAll(async () => {
  for (const db of databases) await db.drop();
});

describe("jobstar export / import", () => {
  it("export prints one line per job on stdout; import loads them from stdin", async () => {
    const [from, to] = databases.map((db) => db.url);
    const exporting = spawnCli(["export", "--models", MODELS, "--model", "EchoJob"], {
      DATABASE_URL: from ?? "",
      LOG_LEVEL: "info",
    });
    expect((await exporting.exited).code).toBe(0);
    const lines = exporting.stdout().trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines.every((line) => JSON.parse(line).kind === "jobstar.job")).toBe(true);
    expect(exporting.stderr()).toContain('"msg":"exported"');

    const importing = spawnCli(["import", "--models", MODELS], { DATABASE_URL: to ?? "", LOG_LEVEL: "info" });
    importing.process.stdin?.end(exporting.stdout());
    expect((await importing.exited).code).toBe(0);
    expect(importing.stderr()).toContain('"imported":3');
    const sql = postgres(to ?? "", { max: 1, onnotice: () => {} });
    try {
      const rows = await sql`select data->'payload'->>'text' as text from jobstar.resources order by 1`;
      expect(rows.map((r) => r.text)).toEqual(["a", "b", "c"]);
    } finally {
      await sql.end();
    }
  });

  it("export --model of an unregistered model fails with exit code 1", async () => {
    const child = spawnCli(["export", "--models", MODELS, "--model", "NopeJob"], {
      DATABASE_URL: databases[0]?.url ?? "",
    });
    expect((await child.exited).code).toBe(1);
    expect(child.stderr()).toContain("model is not registered: NopeJob");
  });
});

describe("jobstar migrate-jobs", () => {
  it("migrates the stored jobs of the models to their schema versions", async () => {
    const url = databases[0]?.url ?? "";
    const child = spawnCli(["migrate-jobs", "--models", MODELS, "--model", "EchoJob"], {
      DATABASE_URL: url,
      LOG_LEVEL: "info",
      MODELS_CASE: "echo-v2",
    });
    expect((await child.exited).code, child.stderr()).toBe(0);
    expect(child.stdout()).toContain('"migrated":{"EchoJob":3}');
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ schema_version: string; lang: string; updated_by: string }[]>`
        select schema_version, data->'payload'->>'lang' as lang, updated_by from jobstar.resources`;
      expect(rows).toHaveLength(3);
      expect(rows.every((r) => r.schema_version === "v2" && r.lang === "en")).toBe(true);
      expect(rows.every((r) => r.updated_by === "jobstar:migration")).toBe(true);
    } finally {
      await sql.end();
    }
  });
});
