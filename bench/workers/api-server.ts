// A jobstar API server process for the HTTP figures: the NoopJob model's GraphQL API on a
// free port of 127.0.0.1, consuming nothing; subscription limits raised for the RSS figure.
// Prints "ready <url>".
import pino from "pino";
import { Spec } from "../../src/index.js";
import { GraphileWorkerMessageQueueFactory } from "../../src/message-queue.js";
import { createServer } from "../../src/server/index.js";
import { addNoopModel } from "../noop-model.js";
import { exitOnSigterm } from "./report.js";

const spec = new Spec().configure({
  databaseUrl: process.env.DATABASE_URL ?? "",
  messageQueueFactory: new GraphileWorkerMessageQueueFactory(),
  logger: pino({ level: "error" }, pino.destination(2)),
});
addNoopModel(spec);
await spec.start();
const server = await createServer(spec, {
  port: 0,
  host: "127.0.0.1",
  user: () => "bench",
  ui: false,
  metrics: false,
  limits: { maxSubscriptionsPerSocket: 10_000, maxSubscriptionsPerUser: 100_000 },
});
console.log(`ready ${server.url}`);
exitOnSigterm(async () => {
  await server.close();
  await spec.close();
});
