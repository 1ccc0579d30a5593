// The demo (`npm start`) without JOBSTAR_TOKENS: open for local development only. It
// listens on 127.0.0.1 whatever HOST says, warns once, and no header chooses the user.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Child, spawnCli, stopChild, waitForOutput } from "../support/child.js";
import { freshDatabase } from "../support/database.js";
import { post } from "./support.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let server: Child;
let url: string;

beforeAll(async () => {
  db = await freshDatabase();
  server = spawnCli(["serve", "--models", "./examples/demo-server.ts"], {
    DATABASE_URL: db.url,
    PORT: "0",
    HOST: "0.0.0.0",
    WORKER: "0",
    LOG_LEVEL: "info",
  });
  await waitForOutput(server, "GraphiQL at ", 90_000);
  const printed = /GraphiQL at (http:\/\/[^\s]+\/graphql)/.exec(server.stdout());
  if (!printed?.[1]) throw new Error(`no URL in the demo server's output:\n${server.stdout()}`);
  url = printed[1];
});

afterAll(async () => {
  if (server) {
    const timer = setTimeout(() => server.process.kill("SIGKILL"), 10_000);
    await stopChild(server, "SIGTERM");
    clearTimeout(timer);
  }
  await db?.drop();
});

it("listens on 127.0.0.1 only and prints one warning line", () => {
  expect(new URL(url).hostname).toBe("127.0.0.1");
  // The log is JSON lines on stdout; pino's level 40 is a warning.
  const warnings = server
    .stdout()
    .split("\n")
    .filter((line) => line.startsWith("{") && (JSON.parse(line) as { level: number }).level === 40);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/JOBSTAR_TOKENS/);
});

it("takes no user from an x-user header", async () => {
  const reply = await post<{ submitTrainingJob: { info: { createdBy: string } } }>(
    url,
    "no token",
    `mutation { submitTrainingJob(input: { payload: { data_id: "d", algo: random_forest, params: {} } }) { info { createdBy } } }`,
    {},
    { "x-user": "admin" },
  );
  expect(reply.errors).toEqual([]);
  expect(reply.data?.submitTrainingJob.info.createdBy).toBe("anonymous");
});
