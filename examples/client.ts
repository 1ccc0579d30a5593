// `npx tsx examples/client.ts`: a typed GraphQL client of the demo server (`npm start`).
// It submits a TrainingJob over graphql-ws, follows its status to the end, and prints
// the artifact as JSON. The documents below are typed by `npm run codegen` (into ./gql).
//
// JOBSTAR_URL: the server's GraphQL URL (default http://127.0.0.1:4000/graphql).
// JOBSTAR_TOKEN: a bearer token, for a server started with JOBSTAR_TOKENS (sent as the
// `authorization` connection param); the job is then submitted as that token's user.
import type { ExecutionResult } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { TypedDocumentString } from "./gql/graphql.js";
import { graphql } from "./gql/index.js";

const SubmitTraining = graphql(`
  mutation SubmitTraining($input: SubmitTrainingJobInput!) {
    submitTrainingJob(input: $input) {
      id
      status
      info {
        createdBy
      }
    }
  }
`);

const FollowJob = graphql(`
  subscription FollowJob($id: ID!) {
    jobStatus(id: $id) {
      id
      status
      retries
      errmsg
      ... on TrainingJob {
        artifact {
          modelId
          accuracy
        }
      }
    }
  }
`);

const url = new URL(process.env.JOBSTAR_URL ?? "http://127.0.0.1:4000/graphql");
url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
const client = createClient({
  url: url.toString(),
  webSocketImpl: WebSocket,
  connectionParams: process.env.JOBSTAR_TOKEN ? { authorization: `Bearer ${process.env.JOBSTAR_TOKEN}` } : {},
  retryAttempts: 0,
});

/** Runs a typed operation over the WebSocket: its results, each checked for errors. */
async function* run<Result, Variables extends Record<string, unknown>>(
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
): AsyncGenerator<Result> {
  const results = client.iterate<Result>({ query: document.toString(), variables });
  for await (const result of results as AsyncIterable<ExecutionResult<Result>>) {
    if (result.errors?.length || !result.data) {
      throw new Error(result.errors?.map((error) => error.message).join("; ") ?? "no data");
    }
    yield result.data;
  }
}

async function main(): Promise<number> {
  let job: { id: string; status: string } | undefined;
  for await (const data of run(SubmitTraining, {
    input: { payload: { data_id: "iris", algo: "random_forest", params: { trees: 100 } } },
  })) {
    job = data.submitTrainingJob;
    console.log(`submitted ${job.id} as ${data.submitTrainingJob.info.createdBy}`);
  }
  if (!job) throw new Error("the submit returned nothing");

  let last: { status: string; errmsg?: string | null; artifact?: unknown } | undefined;
  for await (const { jobStatus } of run(FollowJob, { id: job.id })) {
    console.log(`status: ${jobStatus.status}${jobStatus.retries ? ` (retries: ${jobStatus.retries})` : ""}`);
    last = jobStatus;
  }
  if (last?.status !== "COMPLETED") {
    console.error(`job ${job.id} ended ${last?.status ?? "without a status"}: ${last?.errmsg ?? ""}`);
    return 1;
  }
  console.log(JSON.stringify("artifact" in last ? last.artifact : null));
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  // graphql-ws rejects with the socket's ErrorEvent or CloseEvent when it cannot connect.
  console.error(
    error instanceof Error
      ? error.message
      : `cannot reach the jobstar API at ${url} (JOBSTAR_URL): start it with npm start, or set JOBSTAR_URL`,
  );
} finally {
  await client.dispose();
}
process.exit(code);
