import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createGraphQLHandler } from "../../src/graphql/yoga.js";
import { type ResourceManager, Schema, type Spec, TaskStatus } from "../../src/index.js";
import { ScriptJob, TrainingJob } from "../fixtures/models.js";
import { freshDatabase } from "../support/database.js";
import { testSpec } from "../support/spec.js";
import { waitFor } from "../support/wait.js";
import { type GraphQLReply, graphqlClient, userFromHeader } from "./fixtures/client.js";
import { StrictJob } from "./fixtures/models.js";

let spec: Spec;
let url: string;
let drop: () => Promise<void>;
let gql: ReturnType<typeof graphqlClient>;

beforeAll(async () => {
  const db = await freshDatabase();
  url = db.url;
  drop = db.drop;
  spec = testSpec(db.url, "simple");
  // No handler and no consumer: StrictJobs stay PENDING.
  spec.addModel(new Schema(StrictJob, "v1"));
  gql = graphqlClient(createGraphQLHandler(spec, { user: userFromHeader }));
  await spec.getResourceManager(TrainingJob).startConsume({ block: false });
  await spec.getResourceManager(ScriptJob).startConsume({ block: false, concurrency: 2 });
});

afterAll(async () => {
  await spec?.close();
  await drop?.();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const training = () => spec.getResourceManager(TrainingJob);
const scripts = () => spec.getResourceManager(ScriptJob);
const stricts = () => spec.getResourceManager(StrictJob);

interface Submitted {
  __typename: string;
  id: string;
  status: string;
  retries: number;
  maxRetries: number | null;
  idempotencyKey: string | null;
  info: { revisionId: string; createdBy: string; updatedBy: string };
}
const SUBMITTED =
  "__typename id status retries maxRetries idempotencyKey info { revisionId createdBy updatedBy }";

function only<T>(reply: GraphQLReply<T>): T {
  expect(reply.body.errors).toBeUndefined();
  expect(reply.status).toBe(200);
  if (!reply.body.data) throw new Error("no data");
  return reply.body.data;
}

/** The one error of a reply, expecting `code`. */
function failure<T>(reply: GraphQLReply<T>, code: string) {
  expect(reply.body.errors).toHaveLength(1);
  const [error] = reply.body.errors ?? [];
  expect(error?.extensions?.code, error?.message).toBe(code);
  return { error, reply };
}

const finished = (manager: Pick<ResourceManager, "get">, id: string) =>
  waitFor(
    () => manager.get(id),
    (job) =>
      ([TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED] as string[]).includes(job.data.status),
  );

const count = async (manager: Pick<ResourceManager, "list">) => (await manager.list({ limit: 1 })).totalCount;

const submitTraining = (input: Record<string, unknown>, user?: string) =>
  gql<{
    submitTrainingJob: Submitted & {
      artifact: unknown;
      payload: { data_id: string; algo: string; params: unknown };
    };
  }>(
    `mutation ($input: SubmitTrainingJobInput!) {
      submitTrainingJob(input: $input) { ${SUBMITTED} artifact { modelId } payload { data_id algo params } }
    }`,
    { input },
    user === undefined ? {} : { user },
  );

const submitStrict = (payload: Record<string, unknown>) =>
  gql<{ submitStrictJob: Submitted & { payload: Record<string, unknown> } }>(
    `mutation ($input: SubmitStrictJobInput!) { submitStrictJob(input: $input) { ${SUBMITTED} payload { data_id algo note } } }`,
    { input: { payload } },
  );

describe("submitTrainingJob", () => {
  it("enqueues a job as the request's user, with GraphQL enum names mapped to the model's values", async () => {
    const data = only(
      await submitTraining(
        { payload: { data_id: "data:1", algo: "random_forest", params: { depth: 3 } }, maxRetries: 5 },
        "alice",
      ),
    );
    const job = data.submitTrainingJob;
    expect(job).toMatchObject({
      __typename: "TrainingJob",
      status: "PENDING",
      retries: 0,
      maxRetries: 5,
      artifact: null,
      payload: { data_id: "data:1", algo: "random_forest", params: { depth: 3 } },
      info: { revisionId: `${job.id}:1`, createdBy: "alice", updatedBy: "alice" },
    });
    expect(job.id).toMatch(/^training-job:[0-9a-f-]{36}$/);

    const stored = await training().get(job.id, { revisionId: `${job.id}:1` });
    expect(stored.data.payload).toEqual({ data_id: "data:1", algo: "random-forest", params: { depth: 3 } });
    expect((await finished(training(), job.id)).data).toMatchObject({
      status: "completed",
      maxRetries: 5,
      artifact: { modelId: "random-forest-model", rows: 100 },
    });
  });

  it("records an anonymous submitter as anonymous", async () => {
    const job = only(
      await submitTraining({ payload: { data_id: "d", algo: "mlp", params: {} } }),
    ).submitTrainingJob;
    expect(job.info.createdBy).toBe("anonymous");
    expect(job.maxRetries).toBe(3); // the queue's default
    expect((await training().getMeta(job.id)).createdBy).toBe("anonymous");
  });

  it("returns the first job again for a repeated idempotency key and payload", async () => {
    const before = await count(training());
    const input = { payload: { data_id: "once", algo: "mlp", params: {} }, idempotencyKey: "submit-once" };
    const first = only(await submitTraining(input, "alice")).submitTrainingJob;
    const second = only(await submitTraining(input, "bob")).submitTrainingJob;
    expect(second.id).toBe(first.id);
    expect(second.idempotencyKey).toBe("submit-once");
    expect(second.payload.data_id).toBe("once");
    expect(second.info.createdBy).toBe("alice");
    expect(await count(training())).toBe(before + 1);
  });

  it("takes and shows priority, timeoutSeconds and runAt", async () => {
    const runAt = "2099-01-02T03:04:05.000Z";
    const reply = await gql<{ submitStrictJob: { priority: number; timeoutSeconds: number; runAt: string } }>(
      `mutation { submitStrictJob(input: { payload: { data_id: "options", algo: mlp }, priority: 7, timeoutSeconds: 2.5, runAt: "${runAt}" }) { priority timeoutSeconds runAt } }`,
    );
    expect(only(reply).submitStrictJob).toEqual({ priority: 7, timeoutSeconds: 2.5, runAt });
    const bad = await gql(
      `mutation { submitStrictJob(input: { payload: { data_id: "options", algo: mlp }, priority: 40000 }) { id } }`,
    );
    expect(failure(bad, "VALIDATION_FAILED").error?.extensions?.fields).toEqual([
      { path: "priority", message: "must be at most 32767" },
    ]);
  });

  it("refuses a repeated idempotency key with another payload: a CONFLICT naming the key", async () => {
    const input = {
      payload: { data_id: "first", algo: "mlp", params: {} },
      idempotencyKey: "submit-conflict",
    };
    const first = only(await submitTraining(input, "alice")).submitTrainingJob;
    const before = await count(training());
    const reply = await submitTraining({ ...input, payload: { data_id: "second", algo: "mlp", params: {} } });
    const { error } = failure(reply, "CONFLICT");
    expect(error?.message).toContain(`idempotency key "submit-conflict" is already used by ${first.id}`);
    expect(await count(training())).toBe(before);
  });
});

describe("submitStrictJobs (the list form)", () => {
  const submitMany = (input: Record<string, unknown>[], user = "alice") =>
    gql<{ submitStrictJobs: (Submitted & { payload: { data_id: string } })[] }>(
      `mutation ($input: [SubmitStrictJobInput!]!) { submitStrictJobs(input: $input) { ${SUBMITTED} payload { data_id } } }`,
      { input },
      { user },
    );

  it("stores every job in one transaction and answers them in order", async () => {
    const before = await count(stricts());
    const input = Array.from({ length: 25 }, (_, i) => ({
      payload: { data_id: `bulk:${i}`, algo: "mlp" },
      ...(i === 3 ? { idempotencyKey: "bulk-key", maxRetries: 7 } : {}),
    }));
    const jobs = only(await submitMany(input)).submitStrictJobs;
    expect(jobs.map((job) => job.payload.data_id)).toEqual(input.map((i) => i.payload.data_id));
    expect(jobs[3]).toMatchObject({ idempotencyKey: "bulk-key", maxRetries: 7, status: "PENDING" });
    expect(jobs.every((job) => job.info.createdBy === "alice" && job.status === "PENDING")).toBe(true);
    expect(new Set(jobs.map((job) => job.id)).size).toBe(25);
    expect(await count(stricts())).toBe(before + 25);
    // A second list naming the same key (and payload) twice gets the first job for both, and stores the rest.
    const again = only(
      await submitMany([
        { payload: { data_id: "bulk:3", algo: "mlp" }, idempotencyKey: "bulk-key" },
        { payload: { data_id: "new", algo: "mlp" } },
        { payload: { data_id: "bulk:3", algo: "mlp" }, idempotencyKey: "bulk-key" },
      ]),
    ).submitStrictJobs;
    expect(again[0]?.id).toBe(jobs[3]?.id);
    expect(again[2]?.id).toBe(jobs[3]?.id);
    expect(await count(stricts())).toBe(before + 26);
    // The key with another payload: a conflict naming the key, and nothing of the list is stored.
    const { error } = failure(
      await submitMany([
        { payload: { data_id: "new too", algo: "mlp" } },
        { payload: { data_id: "other", algo: "mlp" }, idempotencyKey: "bulk-key" },
      ]),
      "CONFLICT",
    );
    expect(error?.message).toContain('idempotency key "bulk-key"');
    expect(await count(stricts())).toBe(before + 26);
  });

  it("writes nothing when any job is invalid, and names each bad one by its index", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const before = await count(stricts());
    const reply = await submitMany([
      { payload: { data_id: "fine", algo: "mlp" } },
      { payload: { data_id: "", algo: "mlp" } },
      { payload: { data_id: "fine too", algo: "mlp" }, maxRetries: -1 },
    ]);
    const { error } = failure(reply, "VALIDATION_FAILED");
    expect(error?.extensions?.fields).toEqual([
      { path: "1.payload.data_id", message: expect.any(String) },
      { path: "2.maxRetries", message: "must be at least 0" },
    ]);
    expect(await count(stricts())).toBe(before);
    expect(logged).not.toHaveBeenCalled();
  });

  it("refuses more than 1000 jobs in one call, naming the rule", async () => {
    const before = await count(stricts());
    const input = Array.from({ length: 1001 }, (_, i) => ({ payload: { data_id: `x${i}`, algo: "mlp" } }));
    const { error } = failure(await submitMany(input), "VALIDATION_FAILED");
    expect(error?.message).toContain("at most 1000 jobs, not 1001");
    expect(await count(stricts())).toBe(before);
  });

  it("migrates stored jobs with migrateStrictJobs, for admins only", async () => {
    expect(
      only(await gql<{ migrateStrictJobs: number }>("mutation { migrateStrictJobs }")).migrateStrictJobs,
    ).toBe(0);
    const secured = graphqlClient(
      createGraphQLHandler(spec, {
        authenticate: ({ request }) => {
          const user = request?.headers.get("x-user");
          return user ? { user, roles: user === "root" ? ["admin"] : [] } : null;
        },
      }),
    );
    failure(await secured("mutation { migrateStrictJobs }", {}, { user: "eve" }), "FORBIDDEN");
    expect(
      only(
        await secured<{ migrateStrictJobs: number }>("mutation { migrateStrictJobs }", {}, { user: "root" }),
      ).migrateStrictJobs,
    ).toBe(0);
  });

  it("refuses, writing nothing, a list whose idempotency key names a job the caller may not read", async () => {
    const secured = graphqlClient(
      createGraphQLHandler(spec, {
        // Test-only authentication: the x-user header names a principal without roles.
        authenticate: ({ request }) => {
          const user = request?.headers.get("x-user");
          return user ? { user, roles: [] } : null;
        },
      }),
    );
    const own = await secured<{ submitStrictJob: { id: string } }>(
      `mutation { submitStrictJob(input: { payload: { data_id: "mallory's", algo: mlp }, idempotencyKey: "private-key" }) { id } }`,
      {},
      { user: "mallory" },
    );
    expect(own.body.errors).toBeUndefined();
    const before = await count(stricts());
    const reply = await secured(
      `mutation ($input: [SubmitStrictJobInput!]!) { submitStrictJobs(input: $input) { id } }`,
      {
        input: [
          { payload: { data_id: "a", algo: "mlp" } },
          { payload: { data_id: "b", algo: "mlp" }, idempotencyKey: "private-key" },
        ],
      },
      { user: "eve" },
    );
    failure(reply, "FORBIDDEN");
    expect(await count(stricts())).toBe(before);
  });
});

describe("invalid input", () => {
  it("fails a payload breaking a zod rule with VALIDATION_FAILED naming the field, and writes nothing", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const before = await count(stricts());
    const { error, reply } = failure(await submitStrict({ data_id: "", algo: "mlp" }), "VALIDATION_FAILED");
    expect(reply.status).toBe(200);
    expect(reply.body.data).toBeNull();
    expect(error?.path).toEqual(["submitStrictJob"]);
    expect(error?.message).toMatch(/^invalid StrictJob: payload\.data_id: /);
    expect(error?.extensions?.fields).toEqual([{ path: "payload.data_id", message: expect.any(String) }]);

    // The generic mutation validates the same way.
    const generic = await gql(
      `mutation { submitJob(input: { strictJob: { payload: { data_id: "", algo: mlp } } }) { id } }`,
    );
    expect(failure(generic, "VALIDATION_FAILED").error?.extensions?.fields).toEqual([
      { path: "payload.data_id", message: expect.any(String) },
    ]);

    // Job options are checked too.
    const options = await gql(
      `mutation { submitStrictJob(input: { payload: { data_id: "d", algo: mlp }, maxRetries: -1, idempotencyKey: "" }) { id } }`,
    );
    expect(failure(options, "VALIDATION_FAILED").error?.extensions?.fields).toEqual([
      { path: "maxRetries", message: "must be at least 0" },
      { path: "idempotencyKey", message: expect.any(String) },
    ]);

    expect(await count(stricts())).toBe(before);
    // A caller's mistake is not an operator's problem: nothing is logged as an error.
    expect(logged).not.toHaveBeenCalled();
  });

  it("rejects a payload GraphQL's types catch before anything runs", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const before = await count(stricts());
    for (const payload of [
      { algo: "mlp" },
      { data_id: "d", algo: "random-forest" },
      { data_id: 1, algo: "mlp" },
    ]) {
      const reply = await submitStrict(payload);
      expect(reply.status, JSON.stringify(payload)).toBe(400);
      expect(reply.body.data).toBeUndefined();
      expect(reply.body.errors?.[0]?.message).toMatch(/^Variable "\$input" got invalid value/);
    }
    expect(await count(stricts())).toBe(before);
    expect(logged).not.toHaveBeenCalled();
  });

  it("accepts an explicit null for an optional payload field", async () => {
    const job = only(await submitStrict({ data_id: "d", algo: "mlp", note: null })).submitStrictJob;
    expect(job.payload).toEqual({ data_id: "d", algo: "mlp", note: null });
    const stored = await stricts().get(job.id);
    expect(stored.data.payload).toEqual({ data_id: "d", algo: "mlp" });

    const literal = only(
      await gql<{ submitScriptJob: { payload: unknown } }>(
        "mutation { submitScriptJob(input: { payload: { behaviour: ok, ms: null } }) { payload { behaviour ms } } }",
      ),
    );
    expect(literal.submitScriptJob.payload).toEqual({ behaviour: "ok", ms: null });
  });
});

describe("rerun and cancel", () => {
  const rerun = (field: string, id: string, user?: string) =>
    gql<Record<string, Submitted>>(
      `mutation ($id: ID!) { ${field}(id: $id) { ${SUBMITTED} } }`,
      { id },
      user === undefined ? {} : { user },
    );

  it("reruns a finished job as a new revision that runs again", async () => {
    const { id } = only(
      await submitTraining({ payload: { data_id: "again", algo: "mlp", params: {} } }, "alice"),
    ).submitTrainingJob;
    await finished(training(), id);

    const job = only(await rerun("rerunTrainingJob", id, "bob")).rerunTrainingJob;
    expect(job).toMatchObject({
      id,
      status: "PENDING",
      retries: 0,
      info: { revisionId: `${id}:4`, updatedBy: "bob" },
    });
    const done = await finished(training(), id);
    expect(done.data.status).toBe("completed");
    expect(done.info.revisionId).toBe(`${id}:6`);
    const history = await training().listRevisions(id);
    expect(history.items.map((r) => r.data.status)).toEqual([
      "pending",
      "processing",
      "completed",
      "pending",
      "processing",
      "completed",
    ]);
  });

  it("refuses to rerun a pending or running job (CONFLICT), and cancels a running one", async () => {
    const pending = only(await submitStrict({ data_id: "p", algo: "mlp" })).submitStrictJob;
    const conflict = failure(await rerun("rerunStrictJob", pending.id), "CONFLICT");
    expect(conflict.reply.body.data).toBeNull();
    expect(conflict.error?.message).toContain("pending");

    const running = only(
      await gql<{ submitScriptJob: { id: string } }>(
        "mutation { submitScriptJob(input: { payload: { behaviour: sleep, ms: 20000 } }) { id } }",
      ),
    ).submitScriptJob;
    await waitFor(
      () => scripts().get(running.id),
      (job) => job.data.status === TaskStatus.PROCESSING,
    );
    failure(await rerun("rerunScriptJob", running.id), "CONFLICT");
    const cancelled = only(await rerun("cancelScriptJob", running.id, "carol")).cancelScriptJob;
    expect(cancelled).toMatchObject({
      status: "CANCELLED",
      info: { revisionId: `${running.id}:3`, updatedBy: "carol" },
    });
    expect((await finished(scripts(), running.id)).data.status).toBe("cancelled");
  });

  it("cancels a pending job once; cancelling again is a CONFLICT", async () => {
    const { id } = only(await submitStrict({ data_id: "c", algo: "mlp" })).submitStrictJob;
    const job = only(await rerun("cancelStrictJob", id, "dave")).cancelStrictJob;
    expect(job).toMatchObject({
      id,
      status: "CANCELLED",
      info: { revisionId: `${id}:2`, updatedBy: "dave" },
    });
    expect((await stricts().get(id)).data.status).toBe("cancelled");

    const again = failure(await rerun("cancelStrictJob", id), "CONFLICT");
    expect(again.error?.message).toContain("already cancelled");
    expect((await stricts().getMeta(id)).totalRevisionCount).toBe(2);
  });

  it("answers NOT_FOUND for an unknown id", async () => {
    const unknown = "training-job:00000000-0000-4000-8000-000000000000";
    for (const field of ["rerunTrainingJob", "cancelTrainingJob"]) {
      const { reply } = failure(await rerun(field, unknown), "NOT_FOUND");
      expect(reply.body.data).toBeNull();
    }
  });
});

describe("submitJob", () => {
  const SUBMIT_JOB = `mutation ($input: SubmitJobInput!) {
    submitJob(input: $input) {
      __typename id model status info { createdBy }
      ... on TrainingJob { payload { algo } }
      ... on ScriptJob { payload { behaviour } }
    }
  }`;

  it("submits a job of the model its one field names", async () => {
    const trainingJob = only(
      await gql<{ submitJob: { id: string } }>(
        SUBMIT_JOB,
        { input: { trainingJob: { payload: { data_id: "g", algo: "random_forest", params: {} } } } },
        { user: "erin" },
      ),
    ).submitJob;
    expect(trainingJob).toMatchObject({
      __typename: "TrainingJob",
      model: "TrainingJob",
      status: "PENDING",
      info: { createdBy: "erin" },
      payload: { algo: "random_forest" },
    });
    expect((await training().get(trainingJob.id)).data.payload.algo).toBe("random-forest");

    const scriptJob = only(
      await gql<{ submitJob: { id: string } }>(SUBMIT_JOB, {
        input: { scriptJob: { payload: { behaviour: "ok" }, maxRetries: 0 } },
      }),
    ).submitJob;
    expect(scriptJob).toMatchObject({ __typename: "ScriptJob", payload: { behaviour: "ok" } });
    expect(scriptJob.id).toMatch(/^script-job:/);
  });

  it("rejects an unknown model field, or not exactly one field, as invalid GraphQL", async () => {
    const before = (await count(training())) + (await count(scripts()));
    const replies = [
      await gql(SUBMIT_JOB, { input: { reportJob: { payload: {} } } }),
      await gql(`mutation { submitJob(input: { reportJob: { payload: {} } }) { id } }`),
      await gql(SUBMIT_JOB, {
        input: {
          trainingJob: { payload: { data_id: "a", algo: "mlp", params: {} } },
          scriptJob: { payload: { behaviour: "ok" } },
        },
      }),
      await gql(
        `mutation { submitJob(input: {
          trainingJob: { payload: { data_id: "a", algo: mlp, params: {} } }, scriptJob: { payload: { behaviour: ok } }
        }) { id } }`,
      ),
      await gql(SUBMIT_JOB, { input: {} }),
      await gql(`mutation { submitJob(input: { trainingJob: null }) { id } }`),
    ];
    for (const [i, reply] of replies.entries()) {
      expect(reply.status, `case ${i}`).toBe(400);
      expect(reply.body.data, `case ${i}`).toBeUndefined();
      expect(reply.body.errors?.length, `case ${i}`).toBeGreaterThan(0);
    }
    expect(replies[1]?.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining("reportJob"),
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });
    expect(replies[3]?.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining("must specify exactly one key"),
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });
    expect(replies[2]?.body.errors?.[0]?.message).toMatch(/exactly one key/i);
    expect((await count(training())) + (await count(scripts()))).toBe(before);
  });
});

describe("unexpected errors", () => {
  it("are masked as 'Unexpected error.' with INTERNAL_SERVER_ERROR, and logged", async () => {
    // A spec whose database does not exist: every resolver that reaches it fails in
    // the driver, not with a jobstar error.
    const missing = new URL(url);
    missing.pathname = `/jobstar_missing_${randomBytes(6).toString("hex")}`;
    const broken = testSpec(missing.toString(), "simple");
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const brokenGql = graphqlClient(createGraphQLHandler(broken));
      const reply = await brokenGql(
        `mutation { submitTrainingJob(input: { payload: { data_id: "x", algo: mlp, params: {} } }) { id } }`,
      );
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        data: null,
        errors: [
          {
            message: "Unexpected error.",
            locations: expect.any(Array),
            path: ["submitTrainingJob"],
            extensions: { code: "INTERNAL_SERVER_ERROR" },
          },
        ],
      });
      expect(JSON.stringify(reply.body)).not.toContain(missing.pathname.slice(1));

      const query = await brokenGql(`{ trainingJobs { totalCount } }`);
      expect(query.body.errors).toMatchObject([
        { message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR" } },
      ]);
      // The operator sees what happened.
      expect(logged).toHaveBeenCalled();
      expect(logged.mock.calls.flat().map(String).join("\n")).toContain("does not exist");
    } finally {
      await broken.close();
    }
  });
});
