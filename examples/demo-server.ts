// `npm start`: the demo API server and a worker in one process, on DATABASE_URL or
// the embedded PostgreSQL. PORT picks the port (default 4000); WORKER=0 serves the
// API only (run `npm run worker` elsewhere to process jobs). JOBSTAR_TOKENS
// (`alice:secret-a:admin,bob:secret-b`) turns authentication on; without it the demo
// is open to anyone who can reach it, so it listens on 127.0.0.1 only.
import { spec } from "jobstar";
import { GraphileWorkerMessageQueueFactory } from "jobstar/message-queue";
import { bearerTokens, createServer } from "jobstar/server";
import { addDemoModels, FlakyJob, ReportJob, TrainingJob } from "./demo-models.js";

spec.configure({ messageQueueFactory: new GraphileWorkerMessageQueueFactory({ retryDelay: () => 1 }) });
addDemoModels(spec);

await spec.start();
if (process.env.WORKER !== "0") {
  for (const model of [TrainingJob, ReportJob, FlakyJob]) {
    await spec.getResourceManager(model).startConsume({ block: false, concurrency: 4 });
  }
}
const tokens = process.env.JOBSTAR_TOKENS;
const server = await createServer(spec, {
  port: Number(process.env.PORT ?? 4000),
  // Open mode is for local development: never reachable from another machine.
  host: tokens ? (process.env.HOST ?? "127.0.0.1") : "127.0.0.1",
  ...(tokens ? { authenticate: bearerTokens(tokens) } : {}),
  ...(process.env.ALLOWED_ORIGINS ? { allowedOrigins: process.env.ALLOWED_ORIGINS.split(",") } : {}),
});
if (!tokens) {
  console.warn(
    "jobstar demo: WARNING: no JOBSTAR_TOKENS, so no authentication: anyone on this machine may do anything (listening on 127.0.0.1 only)",
  );
}
const ui = server.url.replace(/\/graphql$/, "/ui");
console.log(
  `jobstar demo: GraphiQL at ${server.url}, operator UI at ${ui}${process.env.WORKER === "0" ? " (API only)" : ""}`,
);

// Ctrl-C reaches this process twice (from the terminal and from npm): the first starts
// an orderly shutdown (HTTP server, then consumers within their grace period, then the
// database), later ones are ignored.
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  await spec.close();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
