// The demo for the jobstar CLI: `npm start` runs `jobstar serve --models ./examples/demo-server.ts`
// (API and a worker in one process), `npm run worker` runs `jobstar worker` with it.
// The CLI reads DATABASE_URL (else the embedded PostgreSQL), PORT (default 4000), HOST,
// WORKER=0 (API only), CONCURRENCY, LOG_LEVEL, JOBSTAR_QUEUE, ALLOWED_ORIGINS and JOBSTAR_TOKENS
// (`alice:secret-a:admin,bob:secret-b`): with tokens the API authenticates; without, it is
// open to anyone who can reach it, so it listens on 127.0.0.1 only.
import type { Spec } from "jobstar";
import { queueFromEnv } from "jobstar/message-queue";
import { addDemoModels } from "./demo-models.js";

/**
 * Registers the demo models, on the queue JOBSTAR_QUEUE names (default graphile-worker; or
 * rabbitmq with AMQP_URL, celery with CELERY_BROKER_URL) with a 1 s retry delay (to watch retries).
 */
export default function setup(spec: Spec): void {
  spec.configure({ messageQueueFactory: queueFromEnv("graphile", { retryDelay: () => 1 }) });
  addDemoModels(spec);
}
