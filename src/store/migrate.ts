import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as drizzleMigrate } from "drizzle-orm/postgres-js/migrator";
import { runMigrations as graphileMigrate } from "graphile-worker";
import postgres from "postgres";
import { ConfigurationError } from "../errors.js";
import { graphileLogger } from "../queue/graphile-logger.js";

/**
 * The package's `drizzle/` folder. Found by walking up from this module (src/store or
 * dist/store, or wherever a bundler put the code) rather than at a fixed relative path;
 * `JOBSTAR_MIGRATIONS_DIR` overrides it for a bundle that ships the folder elsewhere.
 */
export function migrationsFolder(): string {
  const override = process.env.JOBSTAR_MIGRATIONS_DIR;
  if (override) return path.resolve(override);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "drizzle");
    if (existsSync(path.join(candidate, "meta", "_journal.json"))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ConfigurationError(
    "jobstar's migrations (drizzle/meta/_journal.json) were not found above " +
      `${fileURLToPath(import.meta.url)}: ship the package's drizzle/ folder with the code, ` +
      "or set JOBSTAR_MIGRATIONS_DIR to it",
  );
}

/** An arbitrary, fixed key: processes that start together take turns migrating. */
const MIGRATION_LOCK_KEY = 7_307_301;

/**
 * Applies jobstar's Drizzle migrations and installs graphile-worker's schema.
 * Idempotent, and safe when several processes start at once (an advisory lock
 * serialises them).
 */
export async function migrate(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await drizzleMigrate(drizzle(sql), {
        migrationsFolder: migrationsFolder(),
        migrationsSchema: "jobstar",
        migrationsTable: "__drizzle_migrations",
      });
      await graphileMigrate({ connectionString: url, logger: graphileLogger(), maxPoolSize: 1 });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await sql.end();
  }
}
