import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as drizzleMigrate } from "drizzle-orm/postgres-js/migrator";
import { runMigrations as graphileMigrate } from "graphile-worker";
import postgres from "postgres";
import { graphileLogger } from "../queue/graphile-logger.js";

const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../drizzle");

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
        migrationsFolder: MIGRATIONS_FOLDER,
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
