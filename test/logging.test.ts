// Logging: the steps of start-up and shutdown reach the configured logger (without the
// database password), and the CLI writes them as JSON lines when stdout is not a terminal.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger, type Logger, Spec, TaskStatus } from "../src/index.js";
import setupModels, { EchoJob } from "./fixtures/cli-models.js";
import { ScriptJob } from "./fixtures/models.js";
import { spawnCli, stopChild, waitForOutput } from "./support/child.js";
import { freshDatabase } from "./support/database.js";
import { testSpec } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;

beforeAll(async () => {
  db = await freshDatabase();
});

afterAll(async () => {
  await db?.drop();
});

interface Line {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps what it is given. */
function recordingLogger(lines: Line[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, message, fields: { ...bindings, ...fields } });
    };
  return {
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}

it("takes a pino logger as it is", () => {
  // A compile-time check as much as a run-time one: pino's Logger fits jobstar's Logger.
  const spec = new Spec().configure({ logger: createLogger({ level: "silent" }) });
  expect(() => spec.logger.info({ n: 1 }, "not written")).not.toThrow();
});

it("logs start-up and shutdown through the `logger` option, without the password", async () => {
  const lines: Line[] = [];
  const spec = testSpec(db.url, "simple");
  spec.configure({ logger: recordingLogger(lines) });
  const runtime = await spec.start();
  expect(runtime.logger).toBe(spec.logger);
  await spec.close({ graceSeconds: 1 });
  expect(lines.map((line) => line.message)).toEqual([
    "connecting to the database",
    "database ready, migrations applied",
    "queue ready",
    "stopping consumers",
    "closing the queue",
    "closing the database",
    "closed",
  ]);
  expect(lines[2]?.fields).toMatchObject({ queue: "SimpleMessageQueueFactory", models: 2 });
  // The URL is logged without its password (the test database's URL may carry one).
  const passwordInUrl = new URL(db.url).password;
  if (passwordInUrl) expect(JSON.stringify(lines)).not.toContain(`:${passwordInUrl}@`);
});

it("logs each retry, failure and cancel of a job with its id", async () => {
  const lines: Line[] = [];
  const spec = testSpec(db.url, "simple");
  spec.configure({ logger: recordingLogger(lines) });
  const scripts = spec.getResourceManager(ScriptJob);
  await scripts.startConsume({ block: false });
  try {
    const { resourceId } = await scripts.create({ payload: { behaviour: "throw" }, maxRetries: 1 });
    await waitFor(
      async () => (await scripts.get(resourceId)).data.status,
      (status) => status === TaskStatus.FAILED,
    );
    const about = lines.filter((line) => line.fields.resourceId === resourceId);
    expect(about.map((line) => [line.level, line.message])).toEqual([
      ["info", "job will run again"],
      ["warn", "job failed"],
    ]);
    expect(about[1]?.fields).toMatchObject({ errmsg: "boom on run 4", retries: 1 });

    const hung = await scripts.create({ payload: { behaviour: "hang" } });
    await waitFor(
      async () => (await scripts.get(hung.resourceId)).data.status,
      (status) => status === TaskStatus.PROCESSING,
    );
    await scripts.cancel(hung.resourceId, { user: "carol" });
    expect(lines.find((line) => line.fields.resourceId === hung.resourceId)).toMatchObject({
      level: "info",
      message: "job cancelled",
      fields: { was: "processing", by: "carol" },
    });
  } finally {
    await spec.close({ graceSeconds: 1 });
  }
});

it("jobstar serve logs JSON lines, serves and works, and on SIGTERM shuts down in order and exits 0", async () => {
  const child = spawnCli(["serve", "--models", "./test/fixtures/cli-models.ts", "--port", "0"], {
    DATABASE_URL: db.url,
    LOG_LEVEL: "info",
  });
  try {
    await waitForOutput(child, "API server listening", 60_000);
    const lines = child
      .stdout()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { level: number; msg: string; url?: string; models?: string[] });
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(["connecting to the database", "queue ready", "worker consuming"]),
    );
    expect(lines.find((line) => line.msg === "worker consuming")?.models).toEqual(["EchoJob"]);
    const url = lines.find((line) => line.url)?.url;
    if (!url) throw new Error(`no URL in ${child.stdout()}`);

    const submitted = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: 'mutation { submitEchoJob(input: { payload: { text: "hi" } }) { id } }',
      }),
    });
    expect(submitted.status).toBe(200);
    const metrics = await (await fetch(new URL("/metrics", url))).text();
    expect(metrics).toMatch(/^jobstar_jobs\{model="EchoJob",status="(pending|processing|completed)"\} 1$/m);
  } finally {
    const exit = await stopChild(child, "SIGTERM");
    expect(exit, child.stderr()).toEqual({ code: 0, signal: null });
  }
  const messages = child
    .stdout()
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
  const shutdown = messages.slice(messages.indexOf("shutting down"));
  expect(shutdown).toEqual([
    "shutting down",
    "API server closed",
    "stopping consumers",
    "closing the queue",
    "closing the database",
    "closed",
  ]);
  expect(child.stderr()).toBe("");
}, 90_000);

it("jobstar worker runs the jobs another process creates, and stops on SIGTERM with exit 0", async () => {
  const worker = spawnCli(["worker", "--models", "./test/fixtures/cli-models.ts", "--grace", "5"], {
    DATABASE_URL: db.url,
    LOG_LEVEL: "info",
  });
  const spec = new Spec().configure({ databaseUrl: db.url, logger: createLogger({ level: "silent" }) });
  setupModels(spec);
  try {
    await waitForOutput(worker, "worker consuming", 60_000);
    const manager = spec.getResourceManager(EchoJob);
    const { resourceId } = await manager.create(new EchoJob({ payload: { text: "from afar" } }));
    await waitFor(
      async () => (await manager.get(resourceId)).data.status,
      (status) => status === TaskStatus.COMPLETED,
      30_000,
    );
  } finally {
    await spec.close();
    const exit = await stopChild(worker, "SIGTERM");
    expect(exit, worker.stderr()).toEqual({ code: 0, signal: null });
  }
  expect(worker.stdout()).toContain('"msg":"closed"');
}, 90_000);
