// The example client (examples/client.ts) against the demo server (examples/demo-server.ts),
// each in its own process, as a user runs them: `npm start` (the CLI), then `npx tsx examples/client.ts`.
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Child, ROOT, spawnChild, spawnCli, stopChild, waitForOutput } from "../support/child.js";
import { freshDatabase } from "../support/database.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let server: Child;
let url: string;

beforeAll(async () => {
  db = await freshDatabase();
  // PORT=0: the server picks a free port and prints its URL.
  // With JOBSTAR_TOKENS the demo authenticates: the client's token says who submits.
  server = spawnCli(["serve", "--models", "./examples/demo-server.ts"], {
    DATABASE_URL: db.url,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    JOBSTAR_TOKENS: "dora:secret-d,erin:secret-e:admin",
  });
  await waitForOutput(server, "GraphiQL at ", 90_000);
  const printed = /GraphiQL at (http:\/\/127\.0\.0\.1:\d+\/graphql)/.exec(server.stdout());
  if (!printed?.[1]) throw new Error(`no URL in the demo server's output:\n${server.stdout()}`);
  url = printed[1];
});

afterAll(async () => {
  if (server) {
    const timer = setTimeout(() => server.process.kill("SIGKILL"), 10_000);
    const exit = await stopChild(server, "SIGTERM");
    clearTimeout(timer);
    expect(exit, `demo server stderr:\n${server.stderr()}`).toEqual({ code: 0, signal: null });
  }
  await db?.drop();
});

it("submits a TrainingJob, follows it to COMPLETED and prints the artifact", async () => {
  const client = spawnChild(path.join(ROOT, "node_modules/.bin/tsx"), ["examples/client.ts"], {
    JOBSTAR_URL: url,
    JOBSTAR_TOKEN: "secret-d",
  });
  const exit = await client.exited;
  const output = `stdout:\n${client.stdout()}\nstderr:\n${client.stderr()}`;
  expect(exit, output).toEqual({ code: 0, signal: null });

  const lines = client.stdout().trim().split("\n");
  expect(lines[0], output).toMatch(/^submitted training-job:\S+ as dora$/);
  const statuses = lines.filter((line) => line.startsWith("status: ")).map((line) => line.slice(8));
  expect(statuses.at(-1), output).toBe("COMPLETED");
  expect(statuses.filter((status) => status === "COMPLETED")).toHaveLength(1);
  const order = ["PENDING", "PROCESSING", "COMPLETED"];
  expect(statuses, "in life-cycle order, each once").toEqual(order.slice(order.indexOf(statuses[0] ?? "")));
  expect(JSON.parse(lines.at(-1) ?? "")).toEqual({
    modelId: expect.stringMatching(/^random-forest-/),
    accuracy: 0.93,
  });
});

it("refuses a client without a valid token", async () => {
  const client = spawnChild(path.join(ROOT, "node_modules/.bin/tsx"), ["examples/client.ts"], {
    JOBSTAR_URL: url,
    JOBSTAR_TOKEN: "not-a-token",
  });
  const exit = await client.exited;
  expect(exit.code, client.stderr()).not.toBe(0);
  expect(client.stdout()).not.toMatch(/submitted/);
});

it("says in one line, naming JOBSTAR_URL, when no server answers", async () => {
  const client = spawnChild(path.join(ROOT, "node_modules/.bin/tsx"), ["examples/client.ts"], {
    JOBSTAR_URL: "http://127.0.0.1:1/graphql",
  });
  const exit = await client.exited;
  expect(exit.code).toBe(1);
  expect(client.stderr().trim()).toBe(
    "cannot reach the jobstar API at ws://127.0.0.1:1/graphql (JOBSTAR_URL): start it with npm start, or set JOBSTAR_URL",
  );
});
