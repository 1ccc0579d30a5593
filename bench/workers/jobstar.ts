// A jobstar worker process: consumes NoopJob through jobstar's run loop, on the queue named
// by BENCH_QUEUE (default graphile-worker).
import pino from "pino";
import { Spec } from "../../src/index.js";
import { addNoopModel, NoopJob } from "../noop-model.js";
import { queueFactory, queueOfEnv } from "../queues.js";
import { exitOnSigterm, started } from "./report.js";

const spec = new Spec().configure({
  databaseUrl: process.env.DATABASE_URL ?? "",
  messageQueueFactory: queueFactory(queueOfEnv(), process.env.BENCH_QUEUE_PREFIX ?? "jobstar."),
  logger: pino({ level: "error" }, pino.destination(2)),
});
addNoopModel(spec, started);
await spec
  .getResourceManager(NoopJob)
  .startConsume({ block: false, concurrency: Number(process.env.CONCURRENCY) });
console.log("ready");
exitOnSigterm(() => spec.close({ graceSeconds: 5 }));
