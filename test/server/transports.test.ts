// The API server over real sockets: graphql-ws and graphql-sse clients submit jobs
// and follow them to the end, the probes and GraphiQL answer, and close() is graceful.
import net from "node:net";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { exampleQuery } from "../../src/graphql/graphiql.js";
import type { Spec } from "../../src/index.js";
import { createServer, type JobstarServer } from "../../src/server/index.js";
import { ScriptJob, TrainingJob } from "../fixtures/models.js";
import { freshDatabase } from "../support/database.js";
import { testSpec } from "../support/spec.js";
import { waitFor } from "../support/wait.js";
import {
  follow,
  type JobView,
  submitScript,
  submitTraining,
  type Transport,
  type TransportKind,
  transport,
  userOf,
  wsTransport,
} from "./fixtures/clients.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let spec: Spec;
let server: JobstarServer;
let sql: postgres.Sql;
const clients: Transport[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  spec = testSpec(db.url, "graphile");
  await spec.start();
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
  server = await createServer(spec, { port: 0, user: userOf });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await stopConsumers();
});

afterAll(async () => {
  await server?.close();
  await spec?.close();
  await sql?.end({ timeout: 5 });
  await db?.drop();
});

/**
 * The consumers run in this process, but only once a test's subscription holds the
 * job's first state: a job claimed before the client subscribed would start its
 * stream at PROCESSING or later, and the test would depend on timing.
 */
async function startConsumers(): Promise<void> {
  for (const model of [TrainingJob, ScriptJob]) {
    await spec.getResourceManager(model).startConsume({ block: false, concurrency: 2 });
  }
}

async function stopConsumers(): Promise<void> {
  for (const model of [TrainingJob, ScriptJob]) await spec.getResourceManager(model).stopConsume();
}

function client(kind: TransportKind, user = "dora"): Transport {
  const made = transport(kind, server.url, user);
  clients.push(made);
  return made;
}

/** Follows a job, starting the consumers once its first state (PENDING) has arrived. */
function followWithConsumers(from: Transport, id: string): Promise<JobView[]> {
  return follow(from, id, async (_view, index) => {
    if (index === 0) await startConsumers();
  });
}

describe.each<TransportKind>(["graphql-ws", "graphql-sse"])("over %s", (kind) => {
  it("submits a TrainingJob and streams PENDING, PROCESSING, COMPLETED, then completes", async () => {
    const api = client(kind);
    const submitted = await submitTraining(api);
    expect(submitted.status).toBe("PENDING");
    expect(submitted.info.createdBy).toBe("dora");

    const views = await followWithConsumers(api, submitted.id);

    expect(views.map((view) => view.status)).toEqual(["PENDING", "PROCESSING", "COMPLETED"]);
    expect(views.every((view) => view.id === submitted.id && view.model === "TrainingJob")).toBe(true);
    expect(views.every((view) => view.info.createdBy === "dora")).toBe(true);
    expect(views.at(-1)?.artifact).toEqual({ modelId: "mlp-model", rows: 100 });
    const revisions = views.map((view) => Number(view.info.revisionId.split(":").at(-1)));
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
  });

  it("streams a failing job's retries: PENDING, PROCESSING, PENDING, PROCESSING, FAILED", async () => {
    const api = client(kind);
    const submitted = await submitScript(api, { behaviour: "throw" }, 1);
    expect(submitted.info.createdBy).toBe("dora");

    const views = await followWithConsumers(api, submitted.id);

    expect(views.map((view) => view.status)).toEqual([
      "PENDING",
      "PROCESSING",
      "PENDING",
      "PROCESSING",
      "FAILED",
    ]);
    expect(views.map((view) => view.retries)).toEqual([0, 0, 1, 1, 1]);
    expect(views.at(-1)?.errmsg).toContain("boom");
    expect(views.every((view) => view.info.createdBy === "dora")).toBe(true);
  });

  it("records the acting user of each client", async () => {
    const submitted = await submitTraining(client(kind, "erin"));
    expect(submitted.info.createdBy).toBe("erin");
    const [row] = await sql<{ created_by: string }[]>`
      select created_by from jobstar.revisions where resource_id = ${submitted.id}`;
    expect(row?.created_by).toBe("erin");
  });
});

describe("HTTP endpoints", () => {
  const base = () => new URL(server.url).origin;

  it("answers /health and /ready with 200", async () => {
    expect((await fetch(`${base()}/health`)).status).toBe(200);
    expect((await fetch(`${base()}/ready`)).status).toBe(200);
  });

  it("serves GraphiQL to a browser on /graphql", async () => {
    const response = await fetch(server.url, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html.toLowerCase()).toContain("graphiql");
    expect(html).toContain("<title>jobstar</title>");
    // It opens on a query of the first model, not GraphiQL's generic welcome comment.
    expect(html).toContain("query LatestTrainingJobs");
  });

  it("opens GraphiQL on an example query that runs", async () => {
    const query = exampleQuery(spec);
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({ trainingJobs: { totalCount: expect.any(Number) } });
  });

  it("answers a plain GraphQL POST", async () => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user": "finn" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: "Query" } });
  });
});

describe("close()", () => {
  it("closes open graphql-ws connections with 1001 (going away)", async () => {
    // A shutdown timeout longer than the test's: close() must not need it.
    const own = await createServer(spec, { port: 0, user: userOf, shutdownTimeout: 60_000 });
    let closeCode: number | null = null;
    const api = wsTransport(own.url, { user: "dora" }, (code) => {
      closeCode = code;
    });
    clients.push(api);
    // No consumers: the job stays PENDING and the subscription stays open.
    const submitted = await submitTraining(api);
    let opened = () => {};
    const firstState = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const ended = follow(api, submitted.id, () => opened()).then(
      (views) => ({ views, error: null as unknown }),
      (error: unknown) => ({ views: [] as JobView[], error }),
    );
    await firstState;

    await own.close();

    const { error } = await ended;
    expect(error, "the subscription ends with the socket's close").toBeTruthy();
    await waitFor(
      async () => closeCode,
      (code) => code !== null,
    );
    expect(closeCode).toBe(1001);
    await expectPortReleased(own.port);
  });

  it("ends open SSE subscriptions: the client sees the connection go away", async () => {
    const own = await createServer(spec, { port: 0, user: userOf, shutdownTimeout: 60_000 });
    const api = transport("graphql-sse", own.url, "dora");
    clients.push(api);
    const submitted = await submitTraining(api);
    let opened = () => {};
    const firstState = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const ended = follow(api, submitted.id, () => opened()).then(
      () => null,
      (error: unknown) => error,
    );
    await firstState;

    await own.close();

    expect(String(await ended)).toMatch(/network|terminated|closed/i);
    await expectPortReleased(own.port);
  });

  it("lets an in-flight HTTP request finish, then releases the port", async () => {
    // A shutdown timeout longer than the test's: close() must not need it.
    const own = await createServer(spec, { port: 0, user: userOf, shutdownTimeout: 60_000 });
    // A slow query on demand: hold a lock the list query waits for.
    const locker = postgres(db.url, { max: 1, onnotice: () => {} });
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const locked = new Promise<void>((resolve, reject) => {
      locker
        .begin(async (tx) => {
          await tx`lock table jobstar.resources in access exclusive mode`;
          resolve();
          await released;
        })
        .catch(reject);
    });
    try {
      await locked;
      const response = fetch(own.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ trainingJobs(first: 1) { totalCount } }" }),
      });
      // The request is in flight once its query waits for the lock.
      await waitFor(
        async () =>
          (
            await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'`
          )[0]?.n ?? 0,
        (n) => n > 0,
      );

      const closed = own.close();
      let closedYet = false;
      void closed.then(() => {
        closedYet = true;
      });
      // New connections are refused at once, while the request is still running.
      await expectPortReleased(own.port);
      expect(closedYet, "close() waits for the in-flight request").toBe(false);
      release();

      const answer = await response;
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { data?: { trainingJobs: { totalCount: number } } };
      expect(body.data?.trainingJobs.totalCount).toBeGreaterThanOrEqual(0);
      await closed;
    } finally {
      release();
      await locker.end({ timeout: 5 });
    }
  });
});

/** Resolves once nothing accepts connections on `port` of 127.0.0.1. */
async function expectPortReleased(port: number): Promise<void> {
  const refused = await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.once("connect", () => {
          socket.destroy();
          resolve(false);
        });
        socket.once("error", () => resolve(true));
      }),
    (isRefused) => isRefused,
  );
  expect(refused).toBe(true);
}
