import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { checkConnection } from "./connection-check.js";
import { type EmbeddedOptions, type EmbeddedServer, startEmbeddedPostgres } from "./embedded.js";
import { migrate } from "./migrate.js";
import * as tables from "./tables.js";

/** The Drizzle database jobstar's queries run on. */
export type Db = PostgresJsDatabase<typeof tables>;

/** A transaction of {@link Db}; every multi-statement write runs in one. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Where the database is. */
export interface DatabaseOptions {
  /** A PostgreSQL URL. Default: `DATABASE_URL`, else the embedded server. */
  url?: string;
  /** Options of the embedded server, used when there is no URL. */
  embedded?: EmbeddedOptions;
  /** Connections in this process's pool. Default: 10. */
  maxConnections?: number;
}

/** An open, migrated database: Drizzle for queries, postgres.js for LISTEN, the URL for graphile-worker. */
export interface Database {
  readonly url: string;
  readonly db: Db;
  readonly sql: postgres.Sql;
  close(): Promise<void>;
}

/**
 * postgres.js options every jobstar connection shares. After a failed connect its
 * default waits grow to 10–20 s (shared by the whole pool), so a database back from a
 * 3-second restart went unused for that long; here a connection tries again within a second.
 */
export const CONNECTION_OPTIONS = {
  onnotice: () => {},
  connect_timeout: 10,
  backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
} satisfies postgres.Options<Record<string, postgres.PostgresType>>;

/** Opens the configured database (starting the embedded one if needed) and applies migrations. */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  let embedded: EmbeddedServer | undefined;
  let url = options.url ?? process.env.DATABASE_URL;
  if (url) {
    await checkConnection(url, options.url ? "the databaseUrl option" : "DATABASE_URL");
  } else {
    embedded = await startEmbeddedPostgres(options.embedded);
    url = embedded.url;
  }
  const sql = postgres(url, { ...CONNECTION_OPTIONS, max: options.maxConnections ?? 10 });
  try {
    await migrate(url);
  } catch (error) {
    await sql.end();
    await embedded?.stop();
    throw error;
  }
  const db = drizzle(sql, { schema: tables });
  return {
    url,
    db,
    sql,
    async close() {
      await sql.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}
