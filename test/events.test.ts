// The process's one LISTEN connection (EventBus) survives being cut: postgres.js
// reconnects it, `onReconnect` listeners are told (so that they re-read state), and
// later events arrive again.
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { JobEvent, Spec } from "../src/index.js";
import type { Runtime } from "../src/resource/runtime.js";
import { TrainingJob } from "./fixtures/models.js";
import { freshDatabase } from "./support/database.js";
import { HoldingProxy } from "./support/proxy.js";
import { testSpec } from "./support/spec.js";
import { waitFor } from "./support/wait.js";

let drop: () => Promise<void>;
let sql: postgres.Sql;
let spec: Spec;
let runtime: Runtime;

beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  sql = postgres(db.url, { max: 1, onnotice: () => {} });
  // Nothing consumes, so the bus's LISTEN is the only one on this database.
  spec = testSpec(db.url, "simple");
  runtime = await spec.start();
});

afterAll(async () => {
  await spec?.close();
  await sql?.end({ timeout: 5 });
  await drop?.();
});

const create = (dataId: string) =>
  spec.getResourceManager(TrainingJob).create({ payload: { data_id: dataId, algo: "mlp", params: {} } });

it("re-delivers after its listening connection is terminated, and calls onReconnect", async () => {
  const seen: JobEvent[] = [];
  let reconnects = 0;
  const unsubscribe = runtime.events.subscribe((event) => seen.push(event));
  const stopWatching = runtime.events.onReconnect(() => {
    reconnects++;
  });
  const arrived = (resourceId: string) =>
    waitFor(
      async () => seen.filter((event) => event.resourceId === resourceId),
      (events) => events.length > 0,
    );

  const before = await create("before");
  expect(await arrived(before.resourceId)).toEqual([
    {
      model: "TrainingJob",
      resourceId: before.resourceId,
      revisionId: before.revisionId,
      status: "pending",
      at: expect.any(Number),
    },
  ]);
  expect(reconnects).toBe(0);

  const terminated = await sql`
    select pg_terminate_backend(pid) as terminated from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%'`;
  expect(terminated).toEqual([{ terminated: true }]);

  await waitFor(
    async () => reconnects,
    (count) => count >= 1,
  );
  const after = await create("after");
  expect(await arrived(after.resourceId)).toEqual([
    {
      model: "TrainingJob",
      resourceId: after.resourceId,
      revisionId: after.revisionId,
      status: "pending",
      at: expect.any(Number),
    },
  ]);
  expect(reconnects).toBe(1);
  // Still exactly one listening connection: the reconnect replaced the old one.
  const listening = await sql`
    select pid from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%'`;
  expect(listening).toHaveLength(1);

  unsubscribe();
  stopWatching();
});

it("comes back after the database was unreachable for a while (postgres.js re-listens only once)", async () => {
  const db = await freshDatabase();
  const proxy = await HoldingProxy.start(db.url);
  const cut = testSpec(proxy.url(db.url), "simple", {}, { checkInterval: 200 });
  try {
    const bus = (await cut.start()).events;
    const seen: string[] = [];
    let reconnects = 0;
    bus.subscribe((event) => seen.push(event.resourceId));
    bus.onReconnect(() => {
      reconnects++;
    });
    await proxy.refuse();
    proxy.cutAll();
    // Long enough for postgres.js's one re-listen to fail, and for several checks to fail.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await proxy.accept();
    await waitFor(
      async () => reconnects,
      (count) => count >= 1,
    );
    const created = await cut
      .getResourceManager(TrainingJob)
      .create({ payload: { data_id: "back", algo: "mlp", params: {} } });
    await waitFor(
      async () => seen,
      (ids) => ids.includes(created.resourceId),
    );
  } finally {
    await cut.close();
    await proxy.close();
    await db.drop();
  }
});
