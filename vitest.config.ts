import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

// Tests import the package by name ("jobstar/server"): point each export at its source
// (./dist/server/index.js -> ./src/server/index.ts), so tests need no build and see edits at once.
const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  name: string;
  exports: Record<string, string | { import?: string }>;
};
const sourceAliases = Object.entries(pkg.exports).flatMap(([subpath, target]) => {
  const built = typeof target === "string" ? target : target.import;
  if (!built?.startsWith("./dist/")) return [];
  const specifier = `${pkg.name}${subpath.slice(1)}`;
  const source = new URL(built.replace(/^\.\/dist\//, "./src/").replace(/\.js$/, ".ts"), import.meta.url);
  return [{ find: new RegExp(`^${specifier}$`), replacement: source.pathname }];
});

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module) builds; Node (and so Pothos and
    // yoga) load the CJS one. Make Vite load the same copy, or graphql-js sees two
    // realms and rejects the schema.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }, ...sourceAliases],
  },
  test: {
    globalSetup: ["./test/support/global-setup.ts"],
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Quiet specs (and the processes tests start) unless asked: LOG_LEVEL=info npm test.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
  },
});
