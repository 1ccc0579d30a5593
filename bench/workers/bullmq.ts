// A BullMQ worker process on the queue QUEUE of the local Redis.
import { Worker } from "bullmq";
import { exitOnSigterm, started } from "./report.js";

const worker = new Worker<{ n: number }>(process.env.QUEUE ?? "", async (job) => started(job.data.n), {
  connection: { host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null },
  concurrency: Number(process.env.CONCURRENCY),
});
worker.on("error", (error) => console.error("bullmq:", error));
await worker.waitUntilReady();
console.log("ready");
exitOnSigterm(() => worker.close());
