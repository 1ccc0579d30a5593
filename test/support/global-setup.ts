import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../src/store/embedded.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A URL with the right to create databases: each test file makes its own. */
    adminDatabaseUrl: string;
  }
}

/**
 * One PostgreSQL for the run: `DATABASE_URL` when set, else an embedded throwaway
 * cluster (fsync off) separate from the development one.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL;
  if (url) {
    project.provide("adminDatabaseUrl", url);
    return async () => {};
  }
  const server = await startEmbeddedPostgres({
    dir: path.resolve(".jobstar/test"),
    database: "postgres",
    settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
  });
  project.provide("adminDatabaseUrl", server.url);
  return () => server.stop();
}
