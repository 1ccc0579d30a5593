// Starting up is safe when several processes (here: specs) do it at once: the
// migrations run once under an advisory lock, and the embedded server is started by
// one caller and joined by the others.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../src/store/embedded.js";
import { freshDatabase } from "./support/database.js";
import { testSpec } from "./support/spec.js";

let url: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
});
afterAll(async () => {
  await drop();
});

it("migrates once when several specs start together on a fresh database", async () => {
  const specs = Array.from({ length: 4 }, () => testSpec(url, "graphile"));
  try {
    await Promise.all(specs.map((spec) => spec.start()));
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const migrations = await sql`select count(*)::int as n from jobstar.__drizzle_migrations`;
    const tables =
      await sql`select count(*)::int as n from information_schema.tables where table_schema = 'jobstar'`;
    const worker = await sql`select count(*)::int as n from graphile_worker.migrations`;
    await sql.end();
    const onDisk = (await fs.readdir(new URL("../drizzle", import.meta.url))).filter((f) =>
      f.endsWith(".sql"),
    );
    expect(migrations[0]?.n).toBe(onDisk.length);
    expect(tables[0]?.n).toBe(6); // resources, revisions, job_logs, workers, outbox and the migrations table
    expect(worker[0]?.n).toBeGreaterThan(0);
  } finally {
    await Promise.all(specs.map((spec) => spec.close()));
  }
});

it("starts one embedded server when two callers start it together, and the owner stops it", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jobstar-embedded-"));
  await fs.chmod(dir, 0o755);
  try {
    const [a, b] = await Promise.all([
      startEmbeddedPostgres({ dir, database: "postgres" }),
      startEmbeddedPostgres({ dir, database: "postgres" }),
    ]);
    if (!a || !b) throw new Error("no server");
    expect(a.url).toBe(b.url);
    expect([a.owned, b.owned].sort()).toEqual([false, true]);
    const [owner, joiner] = a.owned ? [a, b] : [b, a];

    await joiner.stop(); // a joiner's stop leaves the server running
    const sql = postgres(owner.url, { max: 1, onnotice: () => {} });
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    await sql.end();

    await owner.stop();
    const after = postgres(owner.url, { max: 1, onnotice: () => {}, connect_timeout: 2 });
    await expect(after`select 1`).rejects.toThrow();
    await after.end();

    // Started again, it finds the existing cluster (and its password).
    const again = await startEmbeddedPostgres({ dir, database: "postgres" });
    expect(again.owned).toBe(true);
    await again.stop();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
