// The README's quickstart (DESIGN.md §2) runs as written, as a user would run it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Child, spawnChild, stopChild } from "./support/child.js";
import { freshDatabase } from "./support/database.js";

let url: string;
let drop: () => Promise<void>;
let child: Child | undefined;

beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
});

afterAll(async () => {
  // SIGTERM, not SIGKILL: the tsx CLI relays it to the script it runs in a child process.
  if (child) await stopChild(child, "SIGTERM");
  await drop?.();
});

it("examples/quickstart.ts prints `job completed` and exits 0", async () => {
  child = spawnChild("node_modules/.bin/tsx", ["examples/quickstart.ts"], { DATABASE_URL: url });
  const exit = await child.exited;
  const output = `stdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`;
  expect(exit, output).toEqual({ code: 0, signal: null });
  expect(child.stdout(), output).toContain("job completed");
  expect(child.stdout()).toMatch(/start training job created by anonymous/);
});
