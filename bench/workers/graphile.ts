// A raw graphile-worker process running the no-op task `noop`.
import { run } from "graphile-worker";
import { exitOnSigterm, started } from "./report.js";

const runner = await run({
  connectionString: process.env.DATABASE_URL ?? "",
  concurrency: Number(process.env.CONCURRENCY),
  noHandleSignals: true,
  pollInterval: 1000,
  taskList: {
    noop: async (payload) => started((payload as { n: number }).n),
  },
});
console.log("ready");
exitOnSigterm(() => runner.stop());
