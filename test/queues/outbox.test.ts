// The brokers behind a TCP proxy the test controls (the brokers themselves are shared):
// a job committed while the broker is down waits in the outbox and runs once it is back;
// creating a job is one transaction with its outbox row; a cancel removes the row; and a
// broker that goes away again and again under load loses no job.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Schema, Spec, TaskStatus, ValidationError } from "../../src/index.js";
import { ScriptJob, script } from "../fixtures/models.js";
import { AMQP_URL, REDIS_URL, removeBrokerQueues } from "../support/brokers.js";
import { freshDatabase } from "../support/database.js";
import { countRows, EventLog, expectNoEffect } from "../support/effects.js";
import { HoldingProxy } from "../support/proxy.js";
import { type Backend, brokerOf, queueFactory, queuePrefix, skipReason } from "../support/spec.js";
import { waitFor } from "../support/wait.js";

const BROKER_BACKENDS: Backend[] = ["rabbitmq", "celery-amqp", "celery-redis"];

describe.each(BROKER_BACKENDS)("the %s queue behind a proxy", (backend) => {
  if (skipReason(backend)) return void it.skip(`${backend}: ${skipReason(backend)}`);
  const brokerUrl = brokerOf(backend) === "redis" ? REDIS_URL : AMQP_URL;
  let drop: () => Promise<void>;
  let sql: postgres.Sql;
  let log: EventLog;
  let proxy: HoldingProxy;
  let spec: Spec;

  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    log = await EventLog.open(db.url);
    proxy = await HoldingProxy.start(brokerUrl);
    spec = new Spec().configure({
      databaseUrl: db.url,
      messageQueueFactory: queueFactory(backend, {}, {}, { url: proxy.url(brokerUrl) }),
    });
    spec.addModel(new Schema(ScriptJob, "v1"), { jobHandler: script });
    await spec.getResourceManager(ScriptJob).startConsume({ block: false, concurrency: 4 });
  });

  afterAll(async () => {
    await proxy?.accept();
    await spec?.close();
    await proxy?.close();
    await log?.close();
    await sql?.end({ timeout: 5 });
    await drop?.();
    await removeBrokerQueues(queuePrefix(backend), ["script-job"]);
  });

  const scripts = () => spec.getResourceManager(ScriptJob);
  const outboxOf = (id: string) =>
    sql<{ attempt: number }[]>`select attempt from jobstar.outbox where resource_id = ${id}`;
  // (The proxy's server closes once its connections are gone: cut them while it closes.)
  const brokerDown = async () => {
    const refusing = proxy.refuse();
    proxy.cutAll();
    await refusing;
  };

  it("commits a job while the broker is down with its outbox row, and runs it once the broker is back", async () => {
    await brokerDown();
    const before = await countRows(sql);
    const info = await scripts().create({ payload: { behaviour: "ok" } });
    const cancelled = await scripts().create({ payload: { behaviour: "ok" } });
    // One transaction each: the resource, its revision, its outbox row and its event.
    expect(await countRows(sql)).toEqual({
      resources: before.resources + 2,
      revisions: before.revisions + 2,
      queue: before.queue + 2,
    });
    await log.settle();
    expect(log.eventsOf(info.resourceId).map((event) => event.status)).toEqual(["pending"]);
    // A cancel removes the waiting row: the broker never sees that job.
    await scripts().cancel(cancelled.resourceId);
    expect(await outboxOf(cancelled.resourceId)).toEqual([]);

    // The relay keeps failing to publish; the row stays and the job waits.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await outboxOf(info.resourceId)).toEqual([{ attempt: 0 }]);
    expect((await scripts().get(info.resourceId)).data.status).toBe(TaskStatus.PENDING);

    await proxy.accept();
    const done = await waitFor(
      () => scripts().get(info.resourceId),
      (job) => job.data.status === TaskStatus.COMPLETED,
      30_000,
    );
    expect(done.data).toMatchObject({ retries: 0, artifact: { value: 42 } });
    expect(await outboxOf(info.resourceId)).toEqual([]);
    expect((await scripts().get(cancelled.resourceId)).data.status).toBe(TaskStatus.CANCELLED);
  }, 60_000);

  it("writes nothing when the outbox insert, the last write of the create, fails", async () => {
    await sql.unsafe(`
      create function pg_temp_reject_outbox() returns trigger language plpgsql as
        $$ begin raise exception 'injected fault: outbox unavailable'; end $$;
      create trigger reject_outbox before insert on jobstar.outbox
        for each row execute function pg_temp_reject_outbox();`);
    try {
      const error = await expectNoEffect(sql, log, () => scripts().create({ payload: { behaviour: "ok" } }));
      expect(String((error as Error).cause)).toContain("injected fault");
      expect(error).not.toBeInstanceOf(ValidationError);
    } finally {
      await sql.unsafe(
        "drop trigger reject_outbox on jobstar.outbox; drop function pg_temp_reject_outbox();",
      );
    }
  });

  it.runIf(brokerOf(backend) === "amqp")(
    "declares a queue deleted at the broker again: a job published after the deletion still runs",
    async () => {
      await scripts().create({ payload: { behaviour: "ok" } }); // declared on this connection
      await removeBrokerQueues(queuePrefix(backend), ["script-job"]);
      const info = await scripts().create({ payload: { behaviour: "ok" } });
      await waitFor(
        () => scripts().get(info.resourceId),
        (job) => job.data.status === TaskStatus.COMPLETED,
        20_000,
      );
    },
    30_000,
  );

  it("loses no job when the broker connection goes away three times under load", async () => {
    const ids: string[] = [];
    const creating = (async () => {
      for (let i = 0; i < 90; i++) {
        ids.push(
          (await scripts().create({ payload: { behaviour: i % 3 === 0 ? "sleep" : "ok", ms: 50 } }))
            .resourceId,
        );
      }
    })();
    for (let outage = 0; outage < 3; outage++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await brokerDown();
      await new Promise((resolve) => setTimeout(resolve, 800));
      await proxy.accept();
    }
    await creating;
    const statuses = await waitFor(
      () =>
        sql<{ status: string; n: number }[]>`
          select status, count(*)::int as n from jobstar.resources
          where resource_id = any(${ids}) group by status`,
      (rows) => rows.length === 1 && rows[0]?.status === TaskStatus.COMPLETED,
      60_000,
    );
    expect(statuses).toEqual([{ status: "completed", n: 90 }]);
    // No retry spent: a redelivered message found its job done and was dropped.
    const [retried] = await sql<{ n: number }[]>`
      select count(*)::int as n from jobstar.resources where resource_id = any(${ids}) and retries > 0`;
    expect(retried?.n).toBe(0);
    await waitFor(
      () => sql<{ n: number }[]>`select count(*)::int as n from jobstar.outbox`,
      ([row]) => row?.n === 0,
    );
  }, 120_000);
});
