// PostgreSQL restarted under load (issue: a database restart must crash nothing and lose
// nothing). The test owns a private embedded cluster so that it can stop and start it:
// two worker processes run jobs, this process serves the API with open jobStatus
// subscriptions, and the database goes away for 3 s in the middle.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it, onTestFailed } from "vitest";
import { type Spec, TaskStatus } from "../src/index.js";
import { createServer, type JobstarServer } from "../src/server/index.js";
import { type EmbeddedServer, startEmbeddedPostgres } from "../src/store/embedded.js";
import { isTransient } from "../src/store/transient.js";
import { ScriptJob } from "./fixtures/models.js";
import { follow, type JobView, type Transport, transport, userOf } from "./server/fixtures/clients.js";
import { type Child, spawnTs, stopChild, waitForOutput } from "./support/child.js";
import { testSpec } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

/** `read()`, tried again while the database is away: the test's own polling must not trip on it. */
async function retrying<T>(read: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!isTransient(error)) throw error;
      await sleep(100);
    }
  }
}

const SETTINGS = { fsync: "off", synchronous_commit: "off", full_page_writes: "off" };

let dir: string;
let database: EmbeddedServer;
let url: string;
let spec: Spec;
let server: JobstarServer;
let client: Transport;
const workers: Child[] = [];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jobstar-outage-"));
  await fs.chmod(dir, 0o755);
  database = await startEmbeddedPostgres({ dir, settings: SETTINGS });
  url = database.url;
  // The API process: serves subscriptions and sweeps; runs no jobs. Its listener checks
  // itself every 0.5 s, so it notices the restart quickly.
  spec = testSpec(url, "graphile", { heartbeatInterval: 0.5, staleAfter: 5 }, { checkInterval: 500 });
  await spec.start();
  server = await createServer(spec, { port: 0, user: userOf });
  client = transport("graphql-ws", server.url, "watcher");
  for (let i = 0; i < 2; i++) {
    const worker = spawnTs("test/fixtures/worker.ts", { DATABASE_URL: url, CONCURRENCY: "3" });
    workers.push(worker);
    await waitForOutput(worker, "ready");
  }
}, 90_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => stopChild(worker, "SIGKILL")));
  await client?.close();
  await server?.close();
  await spec?.close({ graceSeconds: 0 });
  await database?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

it("a restart under load ends no process, completes every job, spends no retry, and subscriptions see the end", async () => {
  // The workers log every step with its time: shown when the test fails.
  onTestFailed(() => {
    for (const worker of workers) console.log(`worker ${worker.pid}:\n${worker.stderr()}`);
  });
  const scripts = spec.getResourceManager(ScriptJob);
  const jobs = [];
  for (let i = 0; i < 40; i++) jobs.push(await scripts.create({ payload: { behaviour: "sleep", ms: 250 } }));
  const ids = jobs.map((job) => job.resourceId);
  // Subscriptions in place (each has yielded its first state) before the database goes.
  const started: Promise<void>[] = [];
  const followed = ids.slice(-5).map((id) => {
    let first = () => {};
    started.push(new Promise<void>((resolve) => (first = resolve)));
    return follow(client, id, () => first());
  });
  await Promise.all(started);

  // Mid-load: some jobs done, some running.
  await waitFor(
    () => scripts.list({ status: [TaskStatus.COMPLETED], limit: 1 }),
    (page) => page.totalCount >= 10,
    30_000,
  );
  await database.stop();
  await sleep(3000);
  database = await startEmbeddedPostgres({ dir, settings: SETTINGS });
  // Found again where everyone looks for it.
  expect(database.url).toBe(url);

  const states = await waitFor(
    () => retrying(() => Promise.all(ids.map(async (id) => (await scripts.get(id)).data))),
    (all) => all.every((job) => job.status === TaskStatus.COMPLETED),
    60_000,
  );
  // Handlers that succeeded while the database was away kept their outcome and
  // recorded it once it was back: nothing was run again at the price of a retry.
  expect(states.map((job) => job.retries)).toEqual(ids.map(() => 0));
  for (const id of ids) {
    const history = await scripts.listRevisions(id);
    expect(history.items.map((r) => r.data.status)).toEqual(["pending", "processing", "completed"]);
  }
  for (const worker of workers) expect(worker.done()).toBe(false);
  const views: JobView[][] = await Promise.all(followed);
  for (const view of views) expect(view.at(-1)?.status).toBe("COMPLETED");
}, 120_000);
