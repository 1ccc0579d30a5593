// Beyond one process (DESIGN §9): a worker process runs the jobs, two API servers (this
// process and a child) stream them, and events cross processes through NOTIFY. The
// subscriptions also survive the loss of their process's LISTEN connection.
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Spec } from "../../src/index.js";
import { createServer, type JobstarServer } from "../../src/server/index.js";
import { type Child, ROOT, spawnTs, stopChild, waitForOutput } from "../support/child.js";
import { freshDatabase } from "../support/database.js";
import { HoldingProxy } from "../support/proxy.js";
import { testSpec } from "../support/spec.js";
import { waitFor } from "../support/wait.js";
import {
  follow,
  type JobView,
  Recorder,
  SCRIPT_JOB_EVENTS,
  submitScript,
  submitTraining,
  type Transport,
  transport,
  userOf,
} from "./fixtures/clients.js";

const FIXTURES = path.join(ROOT, "test/server/fixtures");

let db: Awaited<ReturnType<typeof freshDatabase>>;
let sql: postgres.Sql;
let proxy: HoldingProxy;
let spec: Spec;
let serverA: JobstarServer;
let apiB: Child;
let urlB: string;
let worker: Child | null = null;
const clients: Transport[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
  // The test process is API server A: it serves, but runs no jobs. It reaches the
  // database through a proxy that can hold its reconnects.
  proxy = await HoldingProxy.start(db.url);
  spec = testSpec(proxy.url(db.url), "graphile");
  await spec.start();
  serverA = await createServer(spec, { port: 0, user: userOf });
  apiB = spawnTs(path.join(FIXTURES, "api.ts"), { DATABASE_URL: db.url });
  await waitForOutput(apiB, "}\n", 90_000);
  urlB = (JSON.parse(apiB.stdout().split("\n")[0] ?? "") as { url: string }).url;
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all([worker, apiB].map((child) => child && stop(child)));
  await serverA?.close();
  await spec?.close();
  await proxy?.close();
  await sql?.end({ timeout: 5 });
  await db?.drop();
});

/** SIGTERM, then SIGKILL if the child has not exited within 10 s. */
async function stop(child: Child): Promise<void> {
  const timer = setTimeout(() => child.process.kill("SIGKILL"), 10_000);
  const exit = await stopChild(child, "SIGTERM");
  clearTimeout(timer);
  if (exit.code !== 0)
    console.error(`child ${child.pid} exited with ${JSON.stringify(exit)}`, child.stderr());
}

/** Starts the worker process (once) and waits until it consumes. */
async function ensureWorker(): Promise<void> {
  if (!worker) {
    worker = spawnTs("test/fixtures/worker.ts", { DATABASE_URL: db.url });
  }
  await waitForOutput(worker, "ready", 90_000);
}

function client(url: string, kind: "graphql-ws" | "graphql-sse"): Transport {
  const made = transport(kind, url, "dora");
  clients.push(made);
  return made;
}

/** A promise with its resolve function. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const statuses = (views: JobView[]) => views.map((view) => view.status);
const revisions = (views: JobView[]) => views.map((view) => view.info.revisionId);

describe("an API server, a second API server in a child process, and a worker process", () => {
  it("stream the same states of a job that the worker process runs", async () => {
    const submitted = await submitTraining(client(serverA.url, "graphql-ws"));
    // Both subscribers hold the job's first state (PENDING) before any worker runs.
    const firstA = signal();
    const firstB = signal();
    const onA = follow(client(serverA.url, "graphql-ws"), submitted.id, firstA.resolve);
    const onB = follow(client(urlB, "graphql-sse"), submitted.id, firstB.resolve);
    await Promise.all([firstA.promise, firstB.promise]);

    await ensureWorker();
    const [viewsA, viewsB] = await Promise.all([onA, onB]);

    expect(statuses(viewsA)).toEqual(["PENDING", "PROCESSING", "COMPLETED"]);
    expect(statuses(viewsB)).toEqual(statuses(viewsA));
    expect(revisions(viewsB)).toEqual(revisions(viewsA));
    expect(viewsA.at(-1)?.artifact).toEqual({ modelId: "mlp-model", rows: 100 });
    expect(viewsB.at(-1)?.artifact).toEqual(viewsA.at(-1)?.artifact);
    expect(viewsA.at(-1)?.info.createdBy).toBe("dora");
  });

  it("keep streaming after their LISTEN connections are cut", async () => {
    await ensureWorker();
    const submitted = await submitScript(client(serverA.url, "graphql-ws"), { behaviour: "sleep", ms: 1500 });
    const runningA = signal();
    const runningB = signal();
    const whenRunning = (running: { resolve: () => void }) => (view: JobView) => {
      if (view.status === "PROCESSING") running.resolve();
    };
    const onA = follow(client(serverA.url, "graphql-ws"), submitted.id, whenRunning(runningA));
    const onB = follow(client(urlB, "graphql-ws"), submitted.id, whenRunning(runningB));
    await Promise.all([runningA.promise, runningB.promise]);

    // Every process's listening connection: this one's, API B's and the worker's.
    const cut = await cutListeners();
    expect(cut.length).toBeGreaterThanOrEqual(3);
    // postgres.js reconnects them by itself.
    await listenersBack(cut);

    const [viewsA, viewsB] = await Promise.all([onA, onB]);
    expect(statuses(viewsA).at(-1)).toBe("COMPLETED");
    expect(statuses(viewsB).at(-1)).toBe("COMPLETED");
    expect(viewsA.at(-1)?.artifact).toEqual({ value: 1500 });
    expect(viewsB.at(-1)?.info.revisionId).toBe(viewsA.at(-1)?.info.revisionId);
    // Each state once, in order: the re-read after reconnecting repeats nothing.
    for (const views of [viewsA, viewsB]) {
      expect(statuses(views).slice(-2)).toEqual(["PROCESSING", "COMPLETED"]);
      expect(new Set(revisions(views)).size).toBe(views.length);
    }
  });

  it("deliver a change NOTIFYed while the listener was away, by re-reading after the reconnect", async () => {
    await ensureWorker();
    const api = client(serverA.url, "graphql-ws");
    const events = new Recorder(api.subscribe<{ scriptJobEvents: JobView }>(SCRIPT_JOB_EVENTS));
    await events.established(() => submitScript(api, { behaviour: "ok" }));
    const job = await submitScript(api, { behaviour: "sleep", ms: 1500 });
    const running = signal();
    const status = follow(api, job.id, (view) => {
      if (view.status === "PROCESSING") running.resolve();
    });
    await running.promise;
    await events.until(({ scriptJobEvents: e }) => e.id === job.id && e.status === "PROCESSING");

    // Cut A's listener and keep it away until the job has completed.
    proxy.hold();
    await cutListeners(proxy.clientPorts());
    await waitFor(
      async () =>
        (
          await sql<{ status: string }[]>`
        select status from jobstar.resources where resource_id = ${job.id}`
        )[0]?.status,
      (current) => current === "completed",
    );
    proxy.release();

    const views = await status;
    expect(statuses(views).slice(-2)).toEqual(["PROCESSING", "COMPLETED"]);
    expect(views.at(-1)?.artifact).toEqual({ value: 1500 });
    await events.until(({ scriptJobEvents: e }) => e.id === job.id && e.status === "COMPLETED");

    // A reconnect with nothing missed delivers nothing twice: cut again, wait for
    // the new LISTEN, then a probe's event comes after anything the re-read sent.
    await listenersBack(await cutListeners(proxy.clientPorts()));
    const probe = await submitScript(api, { behaviour: "ok" });
    await events.until(({ scriptJobEvents: e }) => e.id === probe.id && e.status === "COMPLETED");
    const delivered = events.received.map(({ scriptJobEvents: e }) => `${e.id}@${e.info.revisionId}`);
    expect(delivered.length - new Set(delivered).size, `duplicates in ${delivered.join(", ")}`).toBe(0);
  });
});

/** The backends LISTENing on jobstar's channel, idle (so in place), with their client ports. */
async function listeners(): Promise<{ pid: number; port: number }[]> {
  return sql<{ pid: number; port: number }[]>`
    select pid, client_port as port from pg_stat_activity
    where datname = current_database() and query ilike 'listen%jobstar%' and state = 'idle'`;
}

/** Terminates the LISTEN backends of the given client ports (all when omitted); returns their pids. */
async function cutListeners(clientPorts?: number[]): Promise<number[]> {
  const cut = (await listeners())
    .filter((row) => !clientPorts || clientPorts.includes(row.port))
    .map((row) => row.pid);
  expect(cut.length, "listening backends to cut").toBeGreaterThan(0);
  await sql`select pg_terminate_backend(pid) from pg_stat_activity where pid = any(${cut}::int[])`;
  return cut;
}

/** Waits until as many new backends listen as were cut. */
async function listenersBack(cut: number[]): Promise<void> {
  await waitFor(
    async () => (await listeners()).filter((row) => !cut.includes(row.pid)).length,
    (fresh) => fresh >= cut.length,
  );
}
