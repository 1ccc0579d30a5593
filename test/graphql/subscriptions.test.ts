import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGraphQLHandler, type GraphQLHandler } from "../../src/graphql/yoga.js";
import { type ResourceManager, type Spec, TaskStatus } from "../../src/index.js";
import { ScriptJob, TrainingJob } from "../fixtures/models.js";
import { freshDatabase } from "../support/database.js";
import { testSpec } from "../support/spec.js";
import { waitFor } from "../support/wait.js";
import { type GraphQLBody, graphqlClient, SseSubscription } from "./fixtures/client.js";

let spec: Spec;
let drop: () => Promise<void>;
let yoga: GraphQLHandler;
let gql: ReturnType<typeof graphqlClient>;

beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  spec = testSpec(db.url, "simple");
  yoga = createGraphQLHandler(spec);
  gql = graphqlClient(yoga);
});

afterAll(async () => {
  await spec?.close();
  await drop?.();
});

const training = () => spec.getResourceManager(TrainingJob);
const scripts = () => spec.getResourceManager(ScriptJob);

// Consumers start and stop per test: a job that must be seen PENDING first is
// submitted while its model has no consumer, and consumed once the stream is open.
const consuming = new Set<string>();
async function consume(manager: ResourceManager): Promise<void> {
  if (consuming.has(manager.name)) return;
  await manager.startConsume({ block: false });
  consuming.add(manager.name);
}
async function pause(manager: ResourceManager): Promise<void> {
  await manager.stopConsume();
  consuming.delete(manager.name);
}

interface State {
  __typename: string;
  id: string;
  status: string;
  retries: number;
  errmsg: string | null;
  info: { revisionId: string };
  artifact?: { modelId?: string; value?: number } | null;
}
const STATE = `__typename id status retries errmsg info { revisionId }
  ... on TrainingJob { artifact { modelId } }
  ... on ScriptJob { artifact { value } }`;

const JOB_STATUS = `subscription ($id: ID!) { jobStatus(id: $id) { ${STATE} } }`;

function state(payload: GraphQLBody<{ jobStatus: State }> | null): State {
  expect(payload?.errors).toBeUndefined();
  const value = payload?.data?.jobStatus;
  if (!value) throw new Error(`no state in ${JSON.stringify(payload)}`);
  return value;
}

const summary = (states: State[]) => states.map((s) => [s.status, s.retries, s.info.revisionId]);

async function submit(mutation: string): Promise<string> {
  const reply = await gql<Record<string, { id: string }>>(mutation);
  expect(reply.body.errors).toBeUndefined();
  const [job] = Object.values(reply.body.data ?? {});
  if (!job) throw new Error("nothing submitted");
  return job.id;
}
const submitTraining = (dataId: string) =>
  submit(
    `mutation { submitTrainingJob(input: { payload: { data_id: "${dataId}", algo: mlp, params: {} } }) { id } }`,
  );

describe("jobStatus", () => {
  it("yields the current state, then each committed change, and completes after the terminal one", async () => {
    await pause(training());
    const id = await submitTraining("live");
    const sub = await SseSubscription.open<{ jobStatus: State }>(yoga, JOB_STATUS, { id });
    expect(sub.response.headers.get("content-type")).toContain("text/event-stream");

    const first = state(await sub.next());
    expect(first).toMatchObject({ __typename: "TrainingJob", id, status: "PENDING", artifact: null });
    expect(first.info.revisionId).toBe(`${id}:1`);

    await consume(training());
    const rest = (await sub.rest()).map(state);
    expect(sub.done).toBe(true);
    expect(summary(rest)).toEqual([
      ["PROCESSING", 0, `${id}:2`],
      ["COMPLETED", 0, `${id}:3`],
    ]);
    expect(rest.at(-1)?.artifact).toEqual({ modelId: "mlp-model" });
  });

  it("yields a finished job's state once and completes", async () => {
    await consume(training());
    const id = await submitTraining("done");
    await waitFor(
      () => training().get(id),
      (job) => job.data.status === TaskStatus.COMPLETED,
    );
    const sub = await SseSubscription.open<{ jobStatus: State }>(yoga, JOB_STATUS, { id });
    const states = (await sub.rest()).map(state);
    expect(summary(states)).toEqual([["COMPLETED", 0, `${id}:3`]]);
    expect(sub.done).toBe(true);
  });

  it("follows retries of a failing job to FAILED", async () => {
    await pause(scripts());
    const id = await submit(
      "mutation { submitScriptJob(input: { payload: { behaviour: throw }, maxRetries: 1 }) { id } }",
    );
    const sub = await SseSubscription.open<{ jobStatus: State }>(yoga, JOB_STATUS, { id });
    const first = state(await sub.next());
    await consume(scripts());
    const states = [first, ...(await sub.rest()).map(state)];
    expect(summary(states)).toEqual([
      ["PENDING", 0, `${id}:1`],
      ["PROCESSING", 0, `${id}:2`],
      ["PENDING", 1, `${id}:3`],
      ["PROCESSING", 1, `${id}:4`],
      ["FAILED", 1, `${id}:5`],
    ]);
    expect(states.map((s) => s.__typename)).toEqual(Array(5).fill("ScriptJob"));
    expect(states[2]?.errmsg).toBe("boom on run 2");
    expect(states[4]?.errmsg).toBe("boom on run 4");
  });

  it("answers an unknown id with a NOT_FOUND error and ends", async () => {
    for (const id of ["training-job:00000000-0000-4000-8000-000000000000", "no-such-model:1"]) {
      const sub = await SseSubscription.open<{ jobStatus: State }>(yoga, JOB_STATUS, { id });
      const payloads = await sub.rest();
      expect(payloads, id).toHaveLength(1);
      expect(payloads[0]?.data ?? null).toBeNull();
      expect(payloads[0]?.errors).toMatchObject([{ path: ["jobStatus"], extensions: { code: "NOT_FOUND" } }]);
      expect(sub.done).toBe(true);
    }
  });
});

describe("trainingJobEvents", () => {
  type Event = { __typename: string; id: string; status: string; info: { revisionId: string } };
  const EVENTS = `subscription ($where: JobEventWhere) {
    trainingJobEvents(where: $where) { __typename id status info { revisionId } }
  }`;

  /** Reads a subscription's events into an array in the background. */
  function collect(sub: SseSubscription<{ trainingJobEvents: Event }>) {
    const events: Event[] = [];
    const errors: unknown[] = [];
    const ended = (async () => {
      for (let payload = await sub.next(); payload; payload = await sub.next()) {
        if (payload.errors) errors.push(...payload.errors);
        if (payload.data?.trainingJobEvents) events.push(payload.data.trainingJobEvents);
      }
    })();
    return { events, errors, ended };
  }

  it("streams only the chosen statuses of its own model, until the client goes away", async () => {
    await consume(training());
    await consume(scripts());
    const { events: bus } = await spec.start();
    const listeners = () => (bus as unknown as { listeners: Set<unknown> }).listeners.size;
    const before = listeners();

    const completedSub = await SseSubscription.open<{ trainingJobEvents: Event }>(yoga, EVENTS, {
      where: { status: ["COMPLETED"] },
    });
    const allSub = await SseSubscription.open<{ trainingJobEvents: Event }>(yoga, EVENTS);
    const completed = collect(completedSub);
    const all = collect(allSub);

    // A subscription starts listening once its stream is read: submit probe jobs
    // until both streams have shown one, so that everything after is seen.
    const probes = new Set<string>();
    while (completed.events.length === 0 || all.events.length === 0) {
      expect(probes.size, "probe jobs never reached the streams").toBeLessThan(20);
      const probe = await submitTraining(`probe-${probes.size}`);
      probes.add(probe);
      await waitFor(
        () => training().get(probe),
        (job) => job.data.status === TaskStatus.COMPLETED,
      );
      await waitFor(
        async () => completed.events.length > 0 && all.events.length > 0,
        (seen) => seen,
        1000,
      ).catch(() => {});
    }

    // A ScriptJob finishes first: were other models streamed, it would come before.
    const scriptId = await submit(
      "mutation { submitScriptJob(input: { payload: { behaviour: ok } }) { id } }",
    );
    await waitFor(
      () => scripts().get(scriptId),
      (job) => job.data.status === TaskStatus.COMPLETED,
    );
    const id = await submitTraining("watched");
    await waitFor(
      async () => completed.events.some((e) => e.id === id),
      (seen) => seen,
    );
    await waitFor(
      async () => all.events.filter((e) => e.id === id).length,
      (n) => n === 3,
    );

    expect(completed.errors).toEqual([]);
    expect(all.errors).toEqual([]);
    expect(completed.events.every((e) => e.__typename === "TrainingJob" && e.status === "COMPLETED")).toBe(
      true,
    );
    expect(all.events.every((e) => e.__typename === "TrainingJob")).toBe(true);
    expect(completed.events.filter((e) => !probes.has(e.id))).toEqual([
      { __typename: "TrainingJob", id, status: "COMPLETED", info: { revisionId: `${id}:3` } },
    ]);
    expect(all.events.filter((e) => e.id === id).map((e) => [e.status, e.info.revisionId])).toEqual([
      ["PENDING", `${id}:1`],
      ["PROCESSING", `${id}:2`],
      ["COMPLETED", `${id}:3`],
    ]);

    // Aborting the requests ends the streams and their listeners.
    await completedSub.abort();
    await allSub.abort();
    await Promise.all([completed.ended, all.ended]);
    await waitFor(
      async () => listeners(),
      (n) => n === before,
    );
  });
});
