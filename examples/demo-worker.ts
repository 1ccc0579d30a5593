// `npm run worker`: a separate worker process for the demo models. Run as many as you
// like, on any machine that reaches the same DATABASE_URL (or, on one machine, the
// embedded PostgreSQL that `npm start` started).
import { spec } from "jobstar";
import { GraphileWorkerMessageQueueFactory } from "jobstar/message-queue";
import { addDemoModels, FlakyJob, ReportJob, TrainingJob } from "./demo-models.js";

spec.configure({ messageQueueFactory: new GraphileWorkerMessageQueueFactory({ retryDelay: () => 1 }) });
addDemoModels(spec);
for (const model of [TrainingJob, ReportJob, FlakyJob]) {
  await spec
    .getResourceManager(model)
    .startConsume({ block: false, concurrency: Number(process.env.CONCURRENCY ?? 4) });
}
console.log("jobstar demo worker: consuming TrainingJob, ReportJob, FlakyJob");

// Ctrl-C reaches this process twice (from the terminal and from npm): the first starts
// an orderly shutdown (running jobs get their grace period), later ones are ignored.
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await spec.close();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
