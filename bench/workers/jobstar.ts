// A jobstar worker process: consumes NoopJob through jobstar's run loop (graphile-worker queue).
import pino from "pino";
import { Spec } from "../../src/index.js";
import { GraphileWorkerMessageQueueFactory } from "../../src/message-queue.js";
import { addNoopModel, NoopJob } from "../noop-model.js";
import { exitOnSigterm, started } from "./report.js";

const spec = new Spec().configure({
  databaseUrl: process.env.DATABASE_URL ?? "",
  messageQueueFactory: new GraphileWorkerMessageQueueFactory({ pollInterval: 1000 }),
  logger: pino({ level: "error" }, pino.destination(2)),
});
addNoopModel(spec, started);
await spec
  .getResourceManager(NoopJob)
  .startConsume({ block: false, concurrency: Number(process.env.CONCURRENCY) });
console.log("ready");
exitOnSigterm(() => spec.close({ graceSeconds: 5 }));
