// A worker of `npm run chaos`: consumes ChaosJob on DATABASE_URL with the default run
// settings (heartbeat 5 s, stale after 15 s). Each handler call is recorded (job, run,
// pid) before it sleeps, so the parent counts executions, duplicates included.
import pino from "pino";
import postgres from "postgres";
import { Spec } from "../src/index.js";
import { GraphileWorkerMessageQueueFactory } from "../src/message-queue.js";
import { addChaosModel, ChaosJob } from "./chaos-model.js";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("chaos-worker needs DATABASE_URL");
const record = postgres(url, { max: 2, onnotice: () => {}, backoff: () => 0.2 });

const spec = new Spec().configure({
  databaseUrl: url,
  messageQueueFactory: new GraphileWorkerMessageQueueFactory({ retryDelay: () => 1 }),
  logger: pino({ level: "error" }, pino.destination(2)),
});
addChaosModel(spec, async (resourceId, run) => {
  // A lost record is retried: the count must not miss an execution.
  for (;;) {
    try {
      await record`insert into chaos_executions (resource_id, run, pid) values (${resourceId}, ${run}, ${process.pid})`;
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
});

const stop = () => {
  spec.close({ graceSeconds: 10 }).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
await spec.getResourceManager(ChaosJob).startConsume({ block: false, concurrency: 4 });
console.log("ready");
