// The process's one LISTEN connection (EventBus) survives being cut: postgres.js
// reconnects it, `onReconnect` listeners are told (so that they re-read state), and
// later events arrive again.
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { JobEvent, Spec } from "../src/index.js";
import type { Runtime } from "../src/resource/runtime.js";
import { TrainingJob } from "./fixtures/models.js";
import { freshDatabase } from "./support/database.js";
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
    { model: "TrainingJob", resourceId: before.resourceId, revisionId: before.revisionId, status: "pending" },
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
    { model: "TrainingJob", resourceId: after.resourceId, revisionId: after.revisionId, status: "pending" },
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
