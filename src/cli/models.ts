import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerOptions } from "../server/server.js";
import type { Spec } from "../spec.js";
import { UsageError } from "./usage.js";

/** What a `--models` module provides. */
export interface ModelsModule {
  /** Registers the models (and may `spec.configure` the queue) on the spec. */
  setup: (spec: Spec) => unknown;
  /** Options of the API server (`user`, `graphiql`, …); port and host come from the CLI. */
  server: ServerOptions;
}

/** Loads the `--models` module: its default export registers models, its `server` export (optional) configures the API. */
export async function loadModels(specifier: string | undefined): Promise<ModelsModule> {
  if (!specifier)
    throw new UsageError("--models <module> is required: the module that registers your models");
  const file = path.resolve(specifier);
  if (!existsSync(file)) throw new UsageError(`--models ${specifier}: no such file (${file})`);
  if (/\.[mc]?ts$/.test(file)) await registerTypeScript(specifier);
  const loaded = (await import(pathToFileURL(file).href)) as { default?: unknown; server?: unknown };
  if (typeof loaded.default !== "function") {
    throw new UsageError(
      `--models ${specifier} must export default a function that registers models: ` +
        'export default (spec) => { spec.addModel(new Schema(MyJob, "v1"), { jobHandler }) }',
    );
  }
  if (loaded.server !== undefined && (typeof loaded.server !== "object" || loaded.server === null)) {
    throw new UsageError(`--models ${specifier}: its "server" export must be an object of server options`);
  }
  return {
    setup: loaded.default as ModelsModule["setup"],
    server: (loaded.server as ServerOptions | undefined) ?? {},
  };
}

/** Loads TypeScript through tsx (from the user's project) unless a loader is already in place. */
async function registerTypeScript(specifier: string): Promise<void> {
  // This very file running as .ts (tsx, vitest, …) proves a TypeScript loader is in place.
  if (import.meta.url.endsWith(".ts") || process.execArgv.some((arg) => arg.includes("tsx"))) return;
  let api: string;
  try {
    api = createRequire(path.join(process.cwd(), "package.json")).resolve("tsx/esm/api");
  } catch {
    throw new UsageError(
      `--models ${specifier} is TypeScript: install tsx (npm install -D tsx), or point --models at compiled JavaScript`,
    );
  }
  const { register } = (await import(pathToFileURL(api).href)) as { register: () => unknown };
  register();
}
