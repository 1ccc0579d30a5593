// The SpecStar job-queue quickstart, in TypeScript: define a job model, register its
// handler, consume in this process, submit a job and poll until it completes.
// JOBSTAR_QUEUE=graphile|rabbitmq|celery picks another queue (AMQP_URL, CELERY_BROKER_URL).
import { setTimeout as sleep } from "node:timers/promises";
import { Job, type Resource, Schema, spec, TaskStatus } from "jobstar";
import { queueFromEnv } from "jobstar/message-queue";
import { z } from "zod";

const TrainingPayload = z.object({
  data_id: z.string(),
  algo: z.enum(["random-forest", "mlp"]),
  params: z.record(z.string(), z.unknown()),
});

class TrainingJob extends Job(TrainingPayload) {}

function getData(dataId: string): { data_id: string; rows: number } {
  return { data_id: dataId, rows: 100 };
}

async function train(
  algo: string,
  _data: unknown,
  _params: Record<string, unknown>,
): Promise<{ id: string }> {
  await sleep(200);
  return { id: `${algo}-model-1` };
}

async function training(job: Resource<TrainingJob>): Promise<TrainingJob> {
  console.log(`start training job created by ${job.info.createdBy}`);
  const model = await train(
    job.data.payload.algo,
    getData(job.data.payload.data_id),
    job.data.payload.params,
  );
  console.log(`trained model id: ${model.id}`);
  return job.data;
}

// The seed's SimpleMessageQueueFactory unless JOBSTAR_QUEUE names another.
spec.configure({ messageQueueFactory: queueFromEnv("simple") });
spec.addModel(new Schema(TrainingJob, "v1"), { jobHandler: training });

const mgr = spec.getResourceManager(TrainingJob);
await mgr.startConsume({ block: false });

const jobInfo = await mgr.create(
  new TrainingJob({ payload: { data_id: "data:1", algo: "random-forest", params: { n: 100 } } }),
);
console.log("job submitted:", jobInfo.resourceId);

let completed = false;
for (let i = 0; i < 10; i++) {
  const job = await mgr.get(jobInfo.resourceId);
  console.log("current status:", job.data.status);
  if (job.data.status === TaskStatus.COMPLETED) {
    console.log("job completed");
    completed = true;
    break;
  }
  if (job.data.status === TaskStatus.FAILED) throw new Error(job.data.errmsg ?? "job failed");
  await sleep(500);
}
await spec.close();
if (!completed) throw new Error("job did not complete in time");
