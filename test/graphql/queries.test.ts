import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGraphQLHandler } from "../../src/graphql/yoga.js";
import type { Spec } from "../../src/index.js";
import { ScriptJob, TrainingJob } from "../fixtures/models.js";
import { freshDatabase } from "../support/database.js";
import { testSpec } from "../support/spec.js";
import { waitFor } from "../support/wait.js";
import { type GraphQLReply, graphqlClient, userFromHeader } from "./fixtures/client.js";

// Five TrainingJobs by five users (the second cancelled before it ran, the others
// completed) and one ScriptJob left PENDING: the fixed data every query here reads.

let spec: Spec;
let drop: () => Promise<void>;
let gql: ReturnType<typeof graphqlClient>;

interface Created {
  id: string;
  user: string;
  createdTime: number;
}
/** The training jobs in creation order. */
const jobs: Created[] = [];
let scriptId = "";

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Connection<N> {
  totalCount: number;
  pageInfo: PageInfo;
  edges: { cursor: string; node: N }[];
}

const job = (user: string): Created => {
  const found = jobs.find((j) => j.user === user);
  if (!found) throw new Error(`no job of ${user}`);
  return found;
};

/** Newest first, ties by id (descending): the list's default order. */
const newestFirst = (list: Created[]) =>
  [...list]
    .sort((a, b) => b.createdTime - a.createdTime || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((j) => j.id);

const ids = <N extends { id: string }>(connection: Connection<N> | undefined) =>
  connection?.edges.map((edge) => edge.node.id);

function only<T>(reply: GraphQLReply<T>): T {
  expect(reply.body.errors).toBeUndefined();
  expect(reply.status).toBe(200);
  if (!reply.body.data) throw new Error("no data");
  return reply.body.data;
}

beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  spec = testSpec(db.url, "simple");
  gql = graphqlClient(createGraphQLHandler(spec, { user: userFromHeader }));

  for (const [i, user] of ["u1", "u2", "u3", "u4", "u5"].entries()) {
    const data = only(
      await gql<{ submitTrainingJob: { id: string; info: { createdTime: string } } }>(
        `mutation ($input: SubmitTrainingJobInput!) {
          submitTrainingJob(input: $input) { id info { createdTime } }
        }`,
        { input: { payload: { data_id: `data:${i + 1}`, algo: "mlp", params: { n: i + 1 } } } },
        { user },
      ),
    );
    jobs.push({
      id: data.submitTrainingJob.id,
      user,
      createdTime: Date.parse(data.submitTrainingJob.info.createdTime),
    });
  }
  const training = spec.getResourceManager(TrainingJob);
  await training.cancel(job("u2").id, { user: "u2" });
  scriptId = (await spec.getResourceManager(ScriptJob).create({ payload: { behaviour: "ok" } })).resourceId;
  await training.startConsume({ block: false });
  await waitFor(
    () => training.list({ status: ["completed"] }),
    (page) => page.totalCount === 4,
  );
});

afterAll(async () => {
  await spec?.close();
  await drop?.();
});

describe("trainingJob(id)", () => {
  it("returns the job with payload, artifact, info, meta, logs and revisions", async () => {
    const { id } = job("u1");
    const data = only(
      await gql<{ trainingJob: Record<string, unknown> }>(
        `query ($id: ID!) {
          trainingJob(id: $id) {
            __typename id model status errmsg retries maxRetries
            payload { data_id algo params }
            artifact { modelId rows }
            info { resourceId revisionId parentRevisionId schemaVersion dataHash status createdBy updatedBy createdTime }
            meta { resourceId model currentRevisionId totalRevisionCount schemaVersion isDeleted createdBy }
            logs { totalCount edges { node { run level message } } }
            revisions {
              totalCount
              edges { cursor node { revisionId status retries payload { algo } info { status parentRevisionId createdBy } } }
            }
          }
        }`,
        { id },
      ),
    );
    expect(data.trainingJob).toMatchObject({
      __typename: "TrainingJob",
      id,
      model: "TrainingJob",
      status: "COMPLETED",
      errmsg: null,
      retries: 0,
      maxRetries: 3,
      payload: { data_id: "data:1", algo: "mlp", params: { n: 1 } },
      artifact: { modelId: "mlp-model", rows: 100 },
      info: {
        resourceId: id,
        revisionId: `${id}:3`,
        parentRevisionId: `${id}:2`,
        schemaVersion: "v1",
        status: "stable",
        createdBy: "u1",
      },
      meta: {
        resourceId: id,
        model: "training-job",
        currentRevisionId: `${id}:3`,
        totalRevisionCount: 3,
        schemaVersion: "v1",
        isDeleted: false,
        createdBy: "u1",
      },
      logs: {
        totalCount: 1,
        edges: [{ node: { run: 2, level: "info", message: "training mlp on data:1" } }],
      },
      revisions: {
        totalCount: 3,
        edges: [
          {
            cursor: "1",
            node: {
              revisionId: `${id}:1`,
              status: "PENDING",
              retries: 0,
              payload: { algo: "mlp" },
              info: { status: "stable", parentRevisionId: null, createdBy: "u1" },
            },
          },
          {
            cursor: "2",
            node: {
              revisionId: `${id}:2`,
              status: "PROCESSING",
              info: { status: "draft", parentRevisionId: `${id}:1` },
            },
          },
          {
            cursor: "3",
            node: {
              revisionId: `${id}:3`,
              status: "COMPLETED",
              info: { status: "stable", parentRevisionId: `${id}:2` },
            },
          },
        ],
      },
    });
    const info = data.trainingJob.info as { dataHash: string; updatedBy: string; createdTime: string };
    expect(info.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(info.updatedBy).toMatch(/^worker:/);
    expect(Date.parse(info.createdTime)).toBeGreaterThanOrEqual(job("u1").createdTime);
  });

  it("pages the revisions forwards and backwards", async () => {
    const { id } = job("u1");
    type Revision = { revisionId: string };
    const page = async (args: {
      first?: number;
      after?: string | null;
      last?: number;
      before?: string | null;
    }) => {
      const data = only(
        await gql<{ trainingJob: { revisions: Connection<Revision> } }>(
          `query ($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
            trainingJob(id: $id) {
              revisions(first: $first, after: $after, last: $last, before: $before) {
                totalCount
                pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
                edges { cursor node { revisionId } }
              }
            }
          }`,
          { id, ...args },
        ),
      );
      return data.trainingJob.revisions;
    };
    const numbers = (c: Connection<Revision>) =>
      c.edges.map((e) => Number(e.node.revisionId.split(":").at(-1)));

    const first = await page({ first: 2 });
    expect([numbers(first), first.totalCount, first.pageInfo.hasNextPage]).toEqual([[1, 2], 3, true]);
    const second = await page({ first: 2, after: first.pageInfo.endCursor });
    expect([numbers(second), second.totalCount, second.pageInfo.hasNextPage]).toEqual([[3], 3, false]);

    const last = await page({ last: 2 });
    expect([numbers(last), last.totalCount, last.pageInfo.hasPreviousPage]).toEqual([[2, 3], 3, true]);
    const earlier = await page({ last: 2, before: last.pageInfo.startCursor });
    expect([numbers(earlier), earlier.totalCount, earlier.pageInfo.hasPreviousPage]).toEqual([[1], 3, false]);

    const none = await page({ first: 0 });
    expect([numbers(none), none.totalCount]).toEqual([[], 3]);
  });
});

describe("trainingJobs", () => {
  const LIST = `query ($where: JobWhere, $orderBy: JobOrder, $first: Int, $after: String, $last: Int, $before: String) {
    trainingJobs(where: $where, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id status info { createdBy } } }
    }
  }`;
  type Listed = { id: string; status: string; info: { createdBy: string } };
  const list = async (variables: Record<string, unknown>) =>
    only(await gql<{ trainingJobs: Connection<Listed> }>(LIST, variables)).trainingJobs;

  it("lists every job, newest first by default, with the total count", async () => {
    const all = await list({});
    expect(all.totalCount).toBe(5);
    expect(ids(all)).toEqual(newestFirst(jobs));
    expect(all.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect(all.edges.find((e) => e.node.id === job("u2").id)?.node.status).toBe("CANCELLED");
  });

  it("sorts oldest first on request", async () => {
    const asc = await list({ orderBy: { field: "CREATED_TIME", direction: "ASC" } });
    expect(ids(asc)).toEqual(newestFirst(jobs).reverse());
    const byUpdate = await list({ orderBy: { field: "UPDATED_TIME", direction: "DESC" } });
    expect(ids(byUpdate)?.sort()).toEqual(jobs.map((j) => j.id).sort());
  });

  it("pages forwards with first/after across pages", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const pages: boolean[] = [];
    do {
      const page: Connection<Listed> = await list({ first: 2, after });
      expect(page.totalCount).toBe(5);
      expect(page.pageInfo.hasPreviousPage).toBe(false);
      seen.push(...(ids(page) ?? []));
      pages.push(page.pageInfo.hasNextPage);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(pages).toEqual([true, true, false]);
    expect(seen).toEqual(newestFirst(jobs));
  });

  it("pages backwards with last/before across pages", async () => {
    const pages: string[][] = [];
    const hasPrevious: boolean[] = [];
    let before: string | null = null;
    do {
      const page: Connection<Listed> = await list({ last: 2, before });
      expect(page.totalCount).toBe(5);
      expect(page.pageInfo.hasNextPage).toBe(false);
      pages.unshift(ids(page) ?? []);
      hasPrevious.push(page.pageInfo.hasPreviousPage);
      before = page.pageInfo.hasPreviousPage ? page.pageInfo.startCursor : null;
    } while (before);
    expect(pages.map((p) => p.length)).toEqual([1, 2, 2]);
    expect(hasPrevious).toEqual([true, true, false]);
    expect(pages.flat()).toEqual(newestFirst(jobs));
  });

  it("pages a filtered, ascending list", async () => {
    const where = { status: ["COMPLETED"] };
    const orderBy = { field: "CREATED_TIME", direction: "ASC" };
    const first = await list({ where, orderBy, first: 3 });
    const rest = await list({ where, orderBy, first: 3, after: first.pageInfo.endCursor });
    expect([first.totalCount, rest.totalCount]).toEqual([4, 4]);
    expect([first.pageInfo.hasNextPage, rest.pageInfo.hasNextPage]).toEqual([true, false]);
    const completed = jobs.filter((j) => j.user !== "u2");
    expect([...(ids(first) ?? []), ...(ids(rest) ?? [])]).toEqual(newestFirst(completed).reverse());
  });

  it("filters by status and creator", async () => {
    const cancelled = await list({ where: { status: ["CANCELLED"] } });
    expect(ids(cancelled)).toEqual([job("u2").id]);
    expect(cancelled.totalCount).toBe(1);
    expect((await list({ where: { status: ["COMPLETED"] } })).totalCount).toBe(4);
    expect((await list({ where: { status: ["COMPLETED", "CANCELLED"] } })).totalCount).toBe(5);
    expect(await list({ where: { status: ["PENDING", "PROCESSING"] } })).toMatchObject({
      totalCount: 0,
      edges: [],
    });

    const byU3 = await list({ where: { createdBy: "u3" } });
    expect(byU3.totalCount).toBe(1);
    expect(byU3.edges.map((e) => [e.node.id, e.node.info.createdBy])).toEqual([[job("u3").id, "u3"]]);
    expect((await list({ where: { createdBy: "nobody" } })).totalCount).toBe(0);
    expect((await list({ where: { createdBy: "u2", status: ["COMPLETED"] } })).totalCount).toBe(0);
  });

  it("filters by creation time: after inclusive, before exclusive", async () => {
    const [, second, , fourth] = jobs;
    if (!second || !fourth) throw new Error("fixture jobs missing");
    const iso = (ms: number) => new Date(ms).toISOString();
    const expected = (keep: (j: Created) => boolean) => newestFirst(jobs.filter(keep));

    const after = await list({ where: { createdAfter: iso(second.createdTime) } });
    expect(ids(after)).toEqual(expected((j) => j.createdTime >= second.createdTime));
    expect(after.totalCount).toBe(after.edges.length);
    expect(ids(after)).toContain(second.id);

    const before = await list({ where: { createdBefore: iso(fourth.createdTime) } });
    expect(ids(before)).toEqual(expected((j) => j.createdTime < fourth.createdTime));
    expect(ids(before)).not.toContain(fourth.id);

    const between = await list({
      where: { createdAfter: iso(second.createdTime), createdBefore: iso(fourth.createdTime) },
    });
    expect(ids(between)).toEqual(
      expected((j) => j.createdTime >= second.createdTime && j.createdTime < fourth.createdTime),
    );
    expect(between.totalCount).toBe(between.edges.length);
  });
});

describe("job, node and nodes", () => {
  const FRAGMENTS = `
    __typename id
    ... on Job { model status }
    ... on TrainingJob { payload { data_id algo } artifact { modelId } }
    ... on ScriptJob { payload { behaviour } }
  `;

  it("job(id) returns the concrete type of each model", async () => {
    const data = only(
      await gql<{ training: unknown; script: unknown }>(
        `query ($t: ID!, $s: ID!) { training: job(id: $t) { ${FRAGMENTS} } script: job(id: $s) { ${FRAGMENTS} } }`,
        { t: job("u3").id, s: scriptId },
      ),
    );
    expect(data.training).toEqual({
      __typename: "TrainingJob",
      id: job("u3").id,
      model: "TrainingJob",
      status: "COMPLETED",
      payload: { data_id: "data:3", algo: "mlp" },
      artifact: { modelId: "mlp-model" },
    });
    expect(data.script).toEqual({
      __typename: "ScriptJob",
      id: scriptId,
      model: "ScriptJob",
      status: "PENDING",
      payload: { behaviour: "ok" },
    });
  });

  it("node(id) and nodes(ids) resolve job ids, and answer null for unknown ids", async () => {
    const unknown = "training-job:00000000-0000-4000-8000-000000000000";
    const reply = await gql<{ known: unknown; missing: unknown; foreign: unknown; nodes: unknown[] }>(
      `query ($id: ID!, $unknown: ID!, $ids: [ID!]!) {
        known: node(id: $id) { ${FRAGMENTS} }
        missing: node(id: $unknown) { id }
        foreign: node(id: "no-such-model:1") { id }
        nodes(ids: $ids) { __typename id }
      }`,
      { id: job("u4").id, unknown, ids: [scriptId, unknown, job("u1").id, "nonsense"] },
    );
    const data = only(reply);
    expect(data.known).toMatchObject({
      __typename: "TrainingJob",
      id: job("u4").id,
      payload: { algo: "mlp" },
    });
    expect(data.missing).toBeNull();
    expect(data.foreign).toBeNull();
    expect(data.nodes).toEqual([
      { __typename: "ScriptJob", id: scriptId },
      null,
      { __typename: "TrainingJob", id: job("u1").id },
      null,
    ]);
  });
});

describe("jobModels", () => {
  it("describes each registered model with JSON Schemas", async () => {
    const data = only(
      await gql<{ jobModels: { name: string; payloadSchema: unknown; artifactSchema: unknown }[] }>(
        "{ jobModels { name key version payloadSchema artifactSchema } }",
      ),
    );
    expect(data.jobModels.map((m) => m.name)).toEqual(["TrainingJob", "ScriptJob"]);
    expect(data.jobModels[0]).toMatchObject({
      name: "TrainingJob",
      key: "training-job",
      version: "v1",
      payloadSchema: {
        type: "object",
        properties: {
          data_id: { type: "string" },
          algo: { type: "string", enum: ["random-forest", "mlp"] },
          params: { type: "object" },
        },
        required: ["data_id", "algo", "params"],
      },
      artifactSchema: {
        type: "object",
        properties: { modelId: { type: "string" }, rows: { type: "integer" } },
      },
    });
    expect(data.jobModels[1]).toMatchObject({
      key: "script-job",
      payloadSchema: { properties: { behaviour: { enum: expect.arrayContaining(["ok", "throw"]) } } },
    });
  });
});

describe("query errors", () => {
  it("an unknown id is NOT_FOUND, with null data", async () => {
    const unknown = "training-job:00000000-0000-4000-8000-000000000000";
    for (const [field, id] of [
      ["trainingJob", unknown],
      ["trainingJob", scriptId], // an id of another model
      ["job", unknown],
      ["job", "no-such-model:1"],
    ] as const) {
      const reply = await gql<Record<string, unknown>>(`query ($id: ID!) { ${field}(id: $id) { id } }`, {
        id,
      });
      expect(reply.status, `${field}(${id})`).toBe(200);
      expect(reply.body.data, `${field}(${id})`).toEqual({ [field]: null });
      expect(reply.body.errors, `${field}(${id})`).toMatchObject([
        { path: [field], extensions: { code: "NOT_FOUND" } },
      ]);
      expect(reply.body.errors?.[0]?.message).toContain("not found");
    }
  });

  it("a query that does not parse is a syntax error", async () => {
    const reply = await gql("{ trainingJob(id: ) { id } }");
    expect(reply.status).toBe(400);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors).toMatchObject([
      { message: expect.stringMatching(/^Syntax Error/), extensions: { code: "GRAPHQL_PARSE_FAILED" } },
    ]);
    // A legacy `application/json` client gets the same errors with 200, as yoga answers it.
    const legacy = await gql("{ trainingJob(id: ) { id } }", {}, { accept: "application/json" });
    expect(legacy.status).toBe(200);
    expect(legacy.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("a query that does not validate is GRAPHQL_VALIDATION_FAILED", async () => {
    for (const query of [
      `{ trainingJob(id: "x") { idd } }`,
      "{ trainingJob { id } }",
      `{ trainingJobs(where: { status: [RUNNING] }) { totalCount } }`,
    ]) {
      const reply = await gql(query);
      expect(reply.status, query).toBe(400);
      expect(reply.body.errors?.[0]?.extensions?.code, query).toBe("GRAPHQL_VALIDATION_FAILED");
    }
  });

  it("a bad cursor or page size is VALIDATION_FAILED", async () => {
    const revisions = `query ($id: ID!, $c: String) { trainingJob(id: $id) { revisions(after: $c) { totalCount } } }`;
    // [query, variables, the failing field's path, when the error names the argument given]
    const cases: [string, Record<string, unknown>, string | null][] = [
      ["query ($c: String) { trainingJobs(after: $c) { totalCount } }", { c: "garbage" }, "after"],
      ["query ($c: String) { trainingJobs(last: 1, before: $c) { totalCount } }", { c: "Zm9v" }, null],
      ["{ trainingJobs(first: 101) { totalCount } }", {}, "first"],
      ["{ trainingJobs(first: 1, last: 1) { totalCount } }", {}, "last"],
      [revisions, { id: job("u1").id, c: "not-a-number" }, "after"],
    ];
    for (const [query, variables, path] of cases) {
      const reply = await gql(query, variables);
      expect(reply.status, query).toBe(200);
      expect(reply.body.errors, query).toMatchObject([{ extensions: { code: "VALIDATION_FAILED" } }]);
      if (path)
        expect(reply.body.errors?.[0]?.extensions?.fields, query).toEqual([
          { path, message: expect.any(String) },
        ]);
    }
  });
});
