// A worker process of bench/processing.ts: `jobstar` consumes the NoopJob model through
// jobstar's run loop; `graphile` runs raw graphile-worker on a no-op task. Prints "ready".
import { run } from "graphile-worker";
import pino from "pino";
import { Spec } from "../src/index.js";
import { GraphileWorkerMessageQueueFactory } from "../src/message-queue.js";
import { addNoopModel, NoopJob } from "./noop-model.js";

const url = process.env.DATABASE_URL ?? "";
const concurrency = Number(process.env.CONCURRENCY ?? 8);
if (process.env.MODE === "graphile") {
  const runner = await run({
    connectionString: url,
    concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: { noop: async () => {} },
  });
  console.log("ready");
  process.once("SIGTERM", () => void runner.stop().then(() => process.exit(0)));
} else {
  const spec = new Spec().configure({
    databaseUrl: url,
    messageQueueFactory: new GraphileWorkerMessageQueueFactory({ pollInterval: 1000 }),
    logger: pino({ level: "error" }, pino.destination(2)),
  });
  addNoopModel(spec);
  await spec.getResourceManager(NoopJob).startConsume({ block: false, concurrency });
  console.log("ready");
  process.once("SIGTERM", () => void spec.close({ graceSeconds: 5 }).then(() => process.exit(0)));
}
