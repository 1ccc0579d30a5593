import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../src/store/embedded.js";
import { ensureUiBuilt } from "./browser.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A URL with the right to create databases: each test file makes its own. */
    adminDatabaseUrl: string;
  }
}

/**
 * One PostgreSQL for the run: `DATABASE_URL` when set, else an embedded throwaway
 * cluster (fsync off) of this run alone, so that runs side by side never share one.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The browser tests (test/ui) serve ui/dist: build it first if it is missing or stale.
  ensureUiBuilt();
  const url = process.env.DATABASE_URL;
  if (url) {
    project.provide("adminDatabaseUrl", url);
    return async () => {};
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jobstar-test-"));
  await fs.chmod(dir, 0o755);
  const started = Date.now();
  const server = await startEmbeddedPostgres({
    dir,
    database: "postgres",
    settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
  });
  console.log(`embedded PostgreSQL for tests: cold start in ${Date.now() - started} ms`);
  project.provide("adminDatabaseUrl", server.url);
  return async () => {
    await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
