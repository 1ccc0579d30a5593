// `npm start`: the demo API server and a worker in one process, on DATABASE_URL or
// the embedded PostgreSQL. PORT picks the port (default 4000); WORKER=0 serves the
// API only (run `npm run worker` elsewhere to process jobs).
import { spec } from "jobstar";
import { GraphileWorkerMessageQueueFactory } from "jobstar/message-queue";
import { createServer } from "jobstar/server";
import { addDemoModels, FlakyJob, ReportJob, TrainingJob } from "./demo-models.js";

spec.configure({ messageQueueFactory: new GraphileWorkerMessageQueueFactory({ retryDelay: () => 1 }) });
addDemoModels(spec);

await spec.start();
if (process.env.WORKER !== "0") {
  for (const model of [TrainingJob, ReportJob, FlakyJob]) {
    await spec.getResourceManager(model).startConsume({ block: false, concurrency: 4 });
  }
}
const server = await createServer(spec, {
  port: Number(process.env.PORT ?? 4000),
  host: process.env.HOST ?? "127.0.0.1",
  // Demo only: trust a `x-user` header (HTTP) or `user` connection param (graphql-ws).
  user: ({ request, connectionParams }) =>
    request?.headers.get("x-user") ??
    (typeof connectionParams?.user === "string" ? connectionParams.user : null),
});
const ui = server.url.replace(/\/graphql$/, "/ui");
console.log(
  `jobstar demo: GraphiQL at ${server.url}, operator UI at ${ui}${process.env.WORKER === "0" ? " (API only)" : ""}`,
);

const shutdown = async () => {
  await server.close();
  await spec.close();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
