// The demo for the jobstar CLI: `npm start` runs `jobstar serve --models ./examples/demo-server.ts`
// (API and a worker in one process), `npm run worker` runs `jobstar worker` with it.
// The CLI reads DATABASE_URL (else the embedded PostgreSQL), PORT (default 4000), HOST,
// WORKER=0 (API only), CONCURRENCY and LOG_LEVEL.
import type { Spec } from "jobstar";
import { GraphileWorkerMessageQueueFactory } from "jobstar/message-queue";
import type { ServerOptions } from "jobstar/server";
import { addDemoModels } from "./demo-models.js";

/** Registers the demo models, on the durable queue with a 1 s retry delay (to watch retries). */
export default function setup(spec: Spec): void {
  spec.configure({ messageQueueFactory: new GraphileWorkerMessageQueueFactory({ retryDelay: () => 1 }) });
  addDemoModels(spec);
}

/** The demo API server's options; port and host come from the CLI. */
export const server: ServerOptions = {
  // Demo only: trust a `x-user` header (HTTP) or `user` connection param (graphql-ws).
  user: ({ request, connectionParams }) =>
    request?.headers.get("x-user") ??
    (typeof connectionParams?.user === "string" ? connectionParams.user : null),
};
