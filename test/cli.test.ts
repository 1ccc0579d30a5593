// The `jobstar` command line: help, usage errors, and start-up errors that say in one or two
// lines which setting is wrong and how to fix it, with exit code 1 and no stack trace.
//
// Most cases call the CLI's main() in this process (the same code as bin.ts, without the
// cost of starting Node and tsx each time); a few run the real process, to check what only
// a process shows: exit codes, the port-in-use noise, the connect timeout.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/cli/main.js";
import { type Child, spawnCli } from "./support/child.js";
import { freshDatabase } from "./support/database.js";

const MODELS = "./test/fixtures/cli-models.ts";

let db: Awaited<ReturnType<typeof freshDatabase>>;

beforeAll(async () => {
  db = await freshDatabase();
});

afterAll(async () => {
  await db?.drop();
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a process to its exit; `DATABASE_URL` is unset unless `env` sets it. */
async function cliProcess(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const child: Child = spawnCli(args, { DATABASE_URL: "", LOG_LEVEL: "warn", ...env });
  const exit = await child.exited;
  return { code: exit.code, stdout: child.stdout(), stderr: child.stderr() };
}

/** Runs the CLI's main() here with `env` set, collecting what it writes to stdout and stderr. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const saved = { ...process.env };
  Object.assign(process.env, { DATABASE_URL: "", LOG_LEVEL: "warn", ...env });
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.env = saved;
  }
}

/** A start-up failure: exit 1, at most two lines on stderr, no stack trace. */
function expectClearFailure(result: Outcome, ...fragments: string[]) {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split("\n");
  expect(lines.length, result.stderr).toBeLessThanOrEqual(2);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

describe("help and usage", () => {
  it("jobstar --help (a process) lists the commands and exits 0; a bad command exits 2", async () => {
    const [help, bogus] = await Promise.all([cliProcess(["--help"]), cliProcess(["bogus"])]);
    expect(help.code).toBe(0);
    for (const command of ["serve", "worker", "migrate", "print-schema"]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('unknown command "bogus"');
  });

  it.for(["serve", "worker", "migrate", "print-schema"])("%s --help", async (command) => {
    const result = await cli([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: jobstar ${command}`);
  });

  it("exits 2 on an option the command does not take, or a missing --models", async () => {
    expect((await cli(["worker", "--port", "1"])).code).toBe(2);
    const missing = await cli(["worker"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--models <module> is required");
  });

  it("print-schema prints the models' SDL without a database", async () => {
    const result = await cli(["print-schema", "--models", MODELS]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^type EchoJob implements /m);
  });

  it("migrate applies the migrations and exits 0", async () => {
    const result = await cli(["migrate"], { DATABASE_URL: db.url });
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: "" });
  });
});

describe("start-up errors", () => {
  it("DATABASE_URL that is not a URL", async () => {
    expectClearFailure(
      await cli(["migrate"], { DATABASE_URL: "localhost/jobs" }),
      "DATABASE_URL is not a URL",
    );
  });

  it("DATABASE_URL naming a database that does not exist", async () => {
    const url = new URL(db.url);
    url.pathname = "/no_such_database";
    const result = await cli(["migrate"], { DATABASE_URL: url.toString() });
    expectClearFailure(result, "database no_such_database does not exist", "(DATABASE_URL)", "createdb");
  });

  it("DATABASE_URL with a port where nothing listens", async () => {
    const result = await cli(["migrate"], { DATABASE_URL: "postgres://jobs:secret@127.0.0.1:1/jobs" });
    expectClearFailure(result, "nothing accepts connections at 127.0.0.1:1 (DATABASE_URL)");
    expect(result.stderr).not.toContain("secret");
  });

  it("DATABASE_URL of a host that never answers (a process): gives up after 10 s", async () => {
    // Accepts TCP connections and never says a word, like a hung server or a black hole.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    const started = Date.now();
    const result = await cliProcess(["migrate"], { DATABASE_URL: `postgres://jobs@127.0.0.1:${port}/jobs` });
    const elapsed = Date.now() - started;
    silent.close();
    expectClearFailure(result, "did not answer within 10 s (DATABASE_URL)");
    expect(elapsed).toBeGreaterThan(9_000);
    expect(elapsed).toBeLessThan(45_000);
  }, 60_000);

  it("a port in use (a process): reported once, naming PORT", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as net.AddressInfo;
    const result = await cliProcess(["serve", "--models", MODELS, "--port", String(port)], {
      DATABASE_URL: db.url,
    });
    taken.close();
    expectClearFailure(result, `port ${port} on 127.0.0.1 is already in use`, "PORT or --port");
    expect(result.stdout + result.stderr).not.toContain("Please check your implementation");
  }, 40_000);

  it("an unknown LOG_LEVEL", async () => {
    const result = await cli(["worker", "--models", MODELS], { LOG_LEVEL: "loud" });
    expectClearFailure(result, "LOG_LEVEL must be one of", '"loud"');
  });

  it("a model class not made with Job()", async () => {
    const result = await cli(["worker", "--models", MODELS], { MODELS_CASE: "not-a-job" });
    expectClearFailure(result, "NotAJob is not a job model: make it with Job()");
  });

  it("a recursive z.lazy", async () => {
    const result = await cli(["worker", "--models", MODELS], { MODELS_CASE: "recursive" });
    expectClearFailure(result, "model TreeJob", "recursive z.lazy");
  });

  it("an empty schema version", async () => {
    const result = await cli(["worker", "--models", MODELS], { MODELS_CASE: "empty-version" });
    expectClearFailure(
      result,
      'the schema version must be a non-empty string, e.g. new Schema(EchoJob, "v1")',
    );
  });

  it("an unexpected error: one line and a hint; LOG_LEVEL=debug shows the stack", async () => {
    const plain = await cli(["worker", "--models", MODELS], { MODELS_CASE: "crash" });
    expectClearFailure(plain, "Error: a bug in the models module", "LOG_LEVEL=debug");
    const debug = await cli(["worker", "--models", MODELS], { MODELS_CASE: "crash", LOG_LEVEL: "debug" });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });
});
