// A pg-boss 10 worker process. pg-boss 10 has no per-worker concurrency option, and each
// work() loop fetches once per polling interval (0.5 s, its minimum) even when it found jobs:
// so CONCURRENCY loops each take up to 100 jobs per fetch (batchSize) and run them one after
// another, which keeps at most CONCURRENCY handlers running at once.
import PgBoss from "pg-boss";
import { exitOnSigterm, started } from "./report.js";

const concurrency = Number(process.env.CONCURRENCY);
const boss = new PgBoss({ connectionString: process.env.DATABASE_URL ?? "", max: concurrency + 2 });
boss.on("error", (error) => console.error("pg-boss:", error));
await boss.start();
for (let i = 0; i < concurrency; i++) {
  await boss.work<{ n: number }>("noop", { batchSize: 100, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    for (const job of jobs) started(job.data.n);
  });
}
console.log("ready");
exitOnSigterm(() => boss.stop({ graceful: true, wait: true, timeout: 5000 }));
