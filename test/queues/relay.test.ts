// The outbox relay on a real PostgreSQL, with publishers that record what they were given
// (the broker's part is tested in outbox.test.ts): several relays publish every row exactly
// once, rows due later wait until due, and a failed publish leaves its rows for a retry.
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.js";
import type { QueueMessage } from "../../src/queue/message-queue.js";
import { insertOutbox } from "../../src/queue/outbox/outbox.js";
import { OutboxRelay } from "../../src/queue/outbox/relay.js";
import { type Database, openDatabase } from "../../src/store/database.js";
import { inUnitOfWork } from "../../src/store/unit-of-work.js";
import { freshDatabase } from "../support/database.js";
import { waitFor } from "../support/wait.js";

let drop: () => Promise<void>;
let database: Database;
let sql: postgres.Sql;
const log = createLogger({ level: "silent" });

beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  database = await openDatabase({ url: db.url });
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await database?.close();
  await drop?.();
});

const outboxRows = (queue: string) =>
  sql<{ n: number }[]>`select count(*)::int as n from jobstar.outbox where queue = ${queue}`.then(
    ([row]) => row?.n ?? -1,
  );

function enqueue(queue: string, messages: QueueMessage[]): Promise<void> {
  return inUnitOfWork(database.db, (unit) => insertOutbox(unit, queue, messages));
}

it("three relays on one queue publish each of 600 rows exactly once", async () => {
  const queue = "test:exactly-once";
  const published: string[] = [];
  const relays = [1, 2, 3].map(
    () =>
      new OutboxRelay(
        database.sql,
        queue,
        async (messages) => {
          // A slow broker: the relays overlap for as long as possible.
          await new Promise((resolve) => setTimeout(resolve, 20));
          published.push(...messages.map((m) => m.resourceId));
        },
        log,
        { batchSize: 50 },
      ),
  );
  await Promise.all(relays.map((relay) => relay.start()));
  try {
    for (let batch = 0; batch < 6; batch++) {
      await enqueue(
        queue,
        Array.from({ length: 100 }, (_, i) => ({
          model: "m",
          resourceId: `job-${batch * 100 + i}`,
          attempt: 0,
        })),
      );
    }
    await waitFor(
      () => outboxRows(queue),
      (n) => n === 0,
    );
    expect(published.length).toBe(600);
    expect(new Set(published).size).toBe(600);
  } finally {
    await Promise.all(relays.map((relay) => relay.stop()));
  }
});

it("keeps a row due later until it is due, then publishes it", async () => {
  const queue = "test:due-later";
  const seen: { id: string; at: number }[] = [];
  const relay = new OutboxRelay(
    database.sql,
    queue,
    async (messages) => {
      for (const m of messages) seen.push({ id: m.resourceId, at: Date.now() });
    },
    log,
  );
  await relay.start();
  try {
    const start = Date.now();
    await enqueue(queue, [
      { model: "m", resourceId: "later", attempt: 0, runAt: new Date(start + 1500) },
      { model: "m", resourceId: "now", attempt: 0 },
    ]);
    await waitFor(
      async () => seen.length,
      (n) => n === 2,
    );
    expect(seen.map((s) => s.id)).toEqual(["now", "later"]);
    expect(seen[1]?.at ?? 0).toBeGreaterThanOrEqual(start + 1400);
  } finally {
    await relay.stop();
  }
});

it("leaves the rows of a failed publish in the outbox, and publishes them once the broker takes them", async () => {
  const queue = "test:broker-down";
  let brokerUp = false;
  let attempts = 0;
  const published: string[] = [];
  const relay = new OutboxRelay(
    database.sql,
    queue,
    async (messages) => {
      attempts++;
      if (!brokerUp) throw new Error("broker down");
      published.push(...messages.map((m) => m.resourceId));
    },
    log,
  );
  await relay.start();
  try {
    await enqueue(queue, [{ model: "m", resourceId: "kept", attempt: 0 }]);
    await waitFor(
      async () => attempts,
      (n) => n >= 3,
    );
    expect(await outboxRows(queue)).toBe(1);
    brokerUp = true;
    await waitFor(
      () => outboxRows(queue),
      (n) => n === 0,
    );
    expect(published).toEqual(["kept"]);
  } finally {
    await relay.stop();
  }
});
