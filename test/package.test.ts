// The package as a user gets it: `npm pack`, installed into a fresh project, used from
// plain Node (no TypeScript loader) and type-checked by `tsc --strict` (nodenext).
//
// The tarball is unpacked into the project's node_modules; its dependencies are linked
// from this repository's node_modules, without its devDependencies (so a runtime or type
// dependency left in devDependencies fails here), because tests reach no registry.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT } from "./support/child.js";
import { freshDatabase } from "./support/database.js";

const run = promisify(execFile);
const FIXTURE = path.join(ROOT, "test/fixtures/consumer");

let dir: string;
let app: string;
let packed: { filename: string; files: { path: string }[] };
let db: Awaited<ReturnType<typeof freshDatabase>>;

/** Runs `node args` in the consumer project with a plain environment; never rejects. */
async function node(args: string[], env: Record<string, string> = {}) {
  const { NODE_OPTIONS: _, ...base } = process.env;
  return run(process.execPath, args, { cwd: app, env: { ...base, ...env }, timeout: 90_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === "number" ? error.code : -1,
      stdout: error.stdout ?? "",
      stderr: error.stderr ?? "",
    }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "jobstar-pack-"));
  db = await freshDatabase();
  // `npm pack` runs `prepare`, which builds dist/ first.
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: ROOT,
    timeout: 150_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const json = stdout.slice(stdout.indexOf("["));
  [packed] = JSON.parse(json) as [typeof packed];
  app = path.join(dir, "app");
  const modules = path.join(app, "node_modules");
  await mkdir(path.join(modules, "jobstar"), { recursive: true });
  await run("tar", ["-xzf", path.join(dir, packed.filename), "-C", path.join(modules, "jobstar")]);
  await run("sh", [
    "-c",
    `mv ${modules}/jobstar/package/* ${modules}/jobstar/ && rmdir ${modules}/jobstar/package`,
  ]);
  await linkDependencies(modules);
  await writeFile(
    path.join(app, "package.json"),
    JSON.stringify({ name: "app", private: true, type: "module" }),
  );
  await writeFile(
    path.join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        types: ["node"],
        skipLibCheck: true,
        noEmit: true,
      },
      files: ["consumer.ts"],
    }),
  );
  await copyFile(path.join(FIXTURE, "app.mjs"), path.join(app, "app.mjs"));
  await copyFile(path.join(FIXTURE, "consumer.ts"), path.join(app, "consumer.ts"));
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

/** Links the repository's installed packages into `modules`, except jobstar's devDependencies. */
async function linkDependencies(modules: string): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  // The consumer's own type of Node; every other devDependency stays out.
  const excluded = new Set(Object.keys(manifest.devDependencies).filter((name) => name !== "@types/node"));
  const source = path.join(ROOT, "node_modules");
  for (const entry of await readdir(source)) {
    if (entry.startsWith(".") || entry === "jobstar") continue;
    if (!entry.startsWith("@")) {
      if (!excluded.has(entry)) await symlink(path.join(source, entry), path.join(modules, entry));
      continue;
    }
    await mkdir(path.join(modules, entry), { recursive: true });
    for (const member of await readdir(path.join(source, entry))) {
      const name = `${entry}/${member}`;
      if (!excluded.has(name)) await symlink(path.join(source, name), path.join(modules, name));
    }
  }
}

it("ships the build, the migrations, the licence and the changelog, and no sources or tests", () => {
  const files = packed.files.map((file) => file.path);
  expect(files).toEqual(
    expect.arrayContaining([
      "dist/index.js",
      "dist/index.d.ts",
      "dist/server/index.js",
      "dist/message-queue.js",
      "dist/cli/bin.js",
      "drizzle/meta/_journal.json",
      "LICENSE",
      "CHANGELOG.md",
      "README.md",
      "package.json",
    ]),
  );
  const allowed = /^(dist\/|drizzle\/|ui\/dist\/|LICENSE$|CHANGELOG\.md$|README\.md$|package\.json$)/;
  expect(files.filter((file) => !allowed.test(file))).toEqual([]);
});

it("runs from plain Node: a job on the database, and the API server", async () => {
  const result = await node(["app.mjs"], { DATABASE_URL: db.url });
  expect(result, result.stderr).toMatchObject({ code: 0 });
  expect(result.stdout).toContain("completed hello health 200");
}, 90_000);

it("has a jobstar command that runs on plain Node", async () => {
  const result = await node(["node_modules/jobstar/dist/cli/bin.js", "--help"]);
  expect(result, result.stderr).toMatchObject({ code: 0 });
  expect(result.stdout).toMatch(/^ {2}serve /m);
});

it("declares every package its type declarations import as a dependency", async () => {
  // tsc's skipLibCheck (on in most projects) hides an unresolvable import in a .d.ts:
  // check the declarations' imports against the installed package's dependencies.
  const installed = path.join(app, "node_modules/jobstar");
  const manifest = JSON.parse(await readFile(path.join(installed, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const imported = new Set<string>();
  for (const file of packed.files.map((entry) => entry.path).filter((name) => name.endsWith(".d.ts"))) {
    const text = await readFile(path.join(installed, file), "utf8");
    for (const [, specifier] of text.matchAll(/(?:from|import\()\s*"([^".][^"]*)"/g)) {
      if (!specifier || specifier.startsWith("node:")) continue;
      const parts = specifier.split("/");
      imported.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier));
    }
  }
  expect(imported.size).toBeGreaterThan(0);
  imported.delete("jobstar"); // its own name, in doc comments
  expect([...imported].filter((name) => !(name in manifest.dependencies))).toEqual([]);
});

it("type-checks a consumer with tsc --strict (module nodenext)", async () => {
  const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
  const result = await node([tsc, "-p", "tsconfig.json"]);
  expect(result.stdout + result.stderr).toBe("");
  expect(result.code).toBe(0);
}, 90_000);
