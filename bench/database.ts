// Where the bench keeps its data: DATABASE_URL (a server the bench may create databases on)
// or a private embedded PostgreSQL with durable settings. Each measurement gets a fresh
// scratch database, dropped afterwards; `dropLeftovers` removes any a failure left behind.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startEmbeddedPostgres } from "../src/store/embedded.js";

/** The PostgreSQL server of one bench run. */
export interface DatabaseServer {
  /** Which server: "DATABASE_URL (host:port)" or "embedded". */
  readonly description: string;
  /** `select version()`. */
  readonly version: string;
  /** Creates a fresh database; `drop` removes it (closing its connections). */
  scratch(): Promise<ScratchDatabase>;
  /** Drops every scratch database of this run still there, then stops an embedded server. */
  close(): Promise<void>;
}

export interface ScratchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

const quiet = { max: 1, onnotice: () => {} } as const;

export async function openDatabaseServer(): Promise<DatabaseServer> {
  const given = process.env.DATABASE_URL;
  const embedded = given ? null : await startEmbedded();
  const admin = given ?? embedded?.url ?? "";
  const host = new URL(admin);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host.hostname)) {
    throw new Error(`the bench only talks to this machine; DATABASE_URL points at ${host.hostname}`);
  }
  const prefix = `jobstar_bench_${randomBytes(3).toString("hex")}_`;
  const client = postgres(admin, quiet);
  const [row] = await client<{ version: string }[]>`select version()`;
  let count = 0;
  const drop = (name: string) => client.unsafe(`drop database if exists ${name} with (force)`);
  return {
    description: given ? `DATABASE_URL (${host.host})` : "embedded PostgreSQL (private, durable settings)",
    version: row?.version ?? "unknown",
    scratch: async () => {
      const name = `${prefix}${count++}`;
      await client.unsafe(`create database ${name}`);
      const url = new URL(admin);
      url.pathname = `/${name}`;
      return { url: url.toString(), drop: async () => void (await drop(name)) };
    },
    close: async () => {
      const left = await client<{ datname: string }[]>`
        select datname from pg_database where datname like ${`${prefix}%`}`;
      for (const { datname } of left) await drop(datname);
      await client.end();
      await embedded?.stop();
    },
  };
}

async function startEmbedded(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jobstar-bench-"));
  await fs.chmod(dir, 0o755);
  const started = await startEmbeddedPostgres({ dir, database: "postgres" });
  return {
    url: started.url,
    stop: async () => {
      await started.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
