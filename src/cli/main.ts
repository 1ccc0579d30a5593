import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { printSchema } from "graphql";
import { JobstarError, PortInUseError } from "../errors.js";
import { createLogger, isDebug, type Logger } from "../log/logger.js";
import { queueFromEnv } from "../queue/from-env.js";
import { buildSchema } from "../server/index.js";
import { Spec } from "../spec.js";
import { openDatabase } from "../store/database.js";
import { HELP } from "./help.js";
import { loadModels } from "./models.js";
import { runService } from "./run.js";
import { UsageError } from "./usage.js";

const OPTIONS = {
  models: { type: "string" },
  model: { type: "string", multiple: true },
  port: { type: "string" },
  host: { type: "string" },
  "no-worker": { type: "boolean" },
  concurrency: { type: "string" },
  grace: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

/** Which options each command takes (besides --help). */
const ACCEPTS: Record<string, readonly string[]> = {
  serve: ["models", "port", "host", "no-worker", "concurrency", "grace"],
  worker: ["models", "concurrency", "grace"],
  migrate: [],
  "print-schema": ["models"],
  export: ["models", "model"],
  import: ["models"],
  "migrate-jobs": ["models", "model"],
};

/** Runs the `jobstar` command line; resolves with the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let log: Logger | undefined;
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
    const [command, ...extra] = positionals;
    if (values.version) {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    if (!command || command === "help") {
      const topic = command === "help" ? extra[0] : undefined;
      process.stdout.write(`${HELP[topic && topic in ACCEPTS ? topic : "main"]}\n`);
      return values.help || command === "help" ? 0 : 2;
    }
    const accepted = ACCEPTS[command];
    if (!accepted) throw new UsageError(`unknown command "${command}"; run jobstar --help`);
    if (values.help) {
      process.stdout.write(`${HELP[command]}\n`);
      return 0;
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    for (const option of Object.keys(values)) {
      if (!accepted.includes(option)) throw new UsageError(`${command} does not take --${option}`);
    }

    // export writes the dump to stdout: its logs go to stderr (so do import's, alike).
    log = command === "export" || command === "import" ? createLogger({ destination: 2 }) : createLogger();
    if (command === "migrate") {
      const database = await openDatabase();
      log.info({}, "migrations applied");
      await database.close();
      return 0;
    }
    const models = await loadModels(values.models);
    // JOBSTAR_QUEUE picks the queue; a models module that configures one has the last word.
    const spec = new Spec().configure({
      logger: log,
      ...(process.env.JOBSTAR_QUEUE ? { messageQueueFactory: queueFromEnv() } : {}),
    });
    await models.setup(spec);
    if (command === "print-schema") {
      process.stdout.write(`${printSchema(buildSchema(spec))}\n`);
      return 0;
    }
    if (command === "export" || command === "import") return await transfer(command, spec, values.model, log);
    if (command === "migrate-jobs") return await migrateJobs(spec, values.model, log);
    const service = {
      worker: command === "worker" || !(values["no-worker"] || process.env.WORKER === "0"),
      concurrency: positiveInteger("--concurrency", values.concurrency ?? process.env.CONCURRENCY ?? "4"),
      graceSeconds: nonNegative("--grace", values.grace ?? "30"),
    };
    const api =
      command === "serve"
        ? {
            port: portNumber(values.port ?? process.env.PORT ?? "4000"),
            host: values.host ?? process.env.HOST ?? "127.0.0.1",
          }
        : undefined;
    return await runService(spec, models, api ? { ...service, api } : service, log).catch(
      (error: unknown) => {
        if (error instanceof PortInUseError) {
          throw new PortInUseError(error.port, error.host, "set PORT or --port to a free port");
        }
        throw error;
      },
    );
  } catch (error) {
    return report(error);
  }
}

/** Runs `export` (the dump to stdout) or `import` (the dump from stdin), then closes the spec. */
async function transfer(
  command: "export" | "import",
  spec: Spec,
  models: string[] | undefined,
  log: Logger,
): Promise<number> {
  try {
    if (command === "export") {
      const count = await spec.exportJobs(process.stdout, models ? { models } : {});
      log.info({ jobs: count }, "exported");
    } else {
      const result = await spec.importJobs(process.stdin);
      log.info({ ...result }, "imported");
    }
    return 0;
  } finally {
    await spec.close({ graceSeconds: 0 });
  }
}

/** Runs `migrate-jobs`: the stored jobs of the models brought to their schema versions. */
async function migrateJobs(spec: Spec, models: string[] | undefined, log: Logger): Promise<number> {
  try {
    const counts = await spec.migrateJobs(models ? { models } : {});
    log.info({ migrated: counts }, "jobs migrated");
    return 0;
  } finally {
    await spec.close({ graceSeconds: 0 });
  }
}

/** Prints a failure in one or two lines (the stack only at LOG_LEVEL=debug); returns the exit code. */
function report(error: unknown): number {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (error instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))) {
    process.stderr.write(`jobstar: ${(error as Error).message}\nRun "jobstar --help" for usage.\n`);
    return 2;
  }
  if (isDebug()) {
    process.stderr.write(`jobstar: ${(error as Error)?.stack ?? String(error)}\n`);
    const cause = (error as Error)?.cause;
    if (cause) process.stderr.write(`caused by: ${(cause as Error)?.stack ?? String(cause)}\n`);
  } else if (error instanceof JobstarError) {
    process.stderr.write(`jobstar: ${error.message}\n`);
  } else {
    const name = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`jobstar: ${name}\n(LOG_LEVEL=debug shows the stack trace)\n`);
  }
  return 1;
}

function version(): string {
  const manifest = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

function positiveInteger(option: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`${option} must be a whole number ≥ 1, not "${value}"`);
  return number;
}

function nonNegative(option: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0)
    throw new UsageError(`${option} must be a number of seconds ≥ 0, not "${value}"`);
  return number;
}

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`the port (PORT or --port) must be 0–65535, not "${value}"`);
  }
  return port;
}
