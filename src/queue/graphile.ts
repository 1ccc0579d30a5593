import { sql } from "drizzle-orm";
import { type Runner, run, type TaskList } from "graphile-worker";
import type { Database } from "../store/database.js";
import type { UnitOfWork } from "../store/unit-of-work.js";
import { silentLogger } from "./graphile-logger.js";
import {
  type ConsumeOptions,
  type Consumer,
  type MessageQueue,
  type MessageQueueFactory,
  type QueueFactoryOptions,
  type QueueMessage,
  type RunSettings,
  runSettings,
} from "./message-queue.js";

/** Options of {@link GraphileWorkerMessageQueueFactory}. */
export interface GraphileQueueOptions extends QueueFactoryOptions {
  /**
   * How often (ms) to look for jobs scheduled in the future. New jobs are picked up at
   * once through LISTEN/NOTIFY. Default: 2000.
   */
  pollInterval?: number;
  /** Connections of each consumer's pool (besides jobstar's own). Default: concurrency + 2. */
  maxPoolSize?: number;
}

/**
 * The durable, multi-process queue: graphile-worker on the same database as the
 * resources, so a job is enqueued in the very transaction that creates it. One
 * graphile-worker task per model (`jobstar:<model-key>`).
 */
export class GraphileWorkerMessageQueueFactory implements MessageQueueFactory {
  readonly settings: RunSettings;

  constructor(private readonly options: GraphileQueueOptions = {}) {
    this.settings = runSettings(options);
  }

  create(database: Database): MessageQueue {
    return new GraphileMessageQueue(database, this.options);
  }
}

/** The graphile-worker task identifier of a model. */
export function taskIdentifier(model: string): string {
  return `jobstar:${model}`;
}

/**
 * graphile-worker's own attempts only cover a worker that failed to record an
 * outcome (e.g. the database was unreachable); jobstar counts job retries itself.
 */
const DELIVERY_ATTEMPTS = 25;

class GraphileMessageQueue implements MessageQueue {
  private readonly runners = new Set<Runner>();

  constructor(
    private readonly database: Database,
    private readonly options: GraphileQueueOptions,
  ) {}

  async enqueue(unit: UnitOfWork, message: QueueMessage): Promise<void> {
    // job_key = resource id: at most one waiting queue entry per job, whatever the
    // number of reruns and retries; 'replace' moves its run time.
    await unit.tx.execute(sql`select graphile_worker.add_job(
      ${taskIdentifier(message.model)},
      ${JSON.stringify({ resourceId: message.resourceId })}::json,
      run_at => ${(message.runAt ?? new Date()).toISOString()}::timestamptz,
      max_attempts => ${DELIVERY_ATTEMPTS},
      job_key => ${message.resourceId},
      job_key_mode => 'replace'
    )`);
  }

  async releaseWorkers(unit: UnitOfWork, workerIds: string[]): Promise<void> {
    if (workerIds.length === 0) return;
    await unit.tx.execute(
      sql`select graphile_worker.force_unlock_workers(${`{${workerIds.map((id) => JSON.stringify(id)).join(",")}}`}::text[])`,
    );
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    const taskList: TaskList = {};
    for (const model of options.models) {
      taskList[taskIdentifier(model)] = async (payload, helpers) => {
        const resourceId = (payload as { resourceId?: unknown }).resourceId;
        if (typeof resourceId !== "string")
          throw new Error(`malformed jobstar queue payload: ${JSON.stringify(payload)}`);
        await options.process({ model, resourceId }, { workerId: helpers.job.locked_by ?? "unknown" });
      };
    }
    const runner = await run({
      connectionString: this.database.url,
      concurrency: options.concurrency,
      maxPoolSize: this.options.maxPoolSize ?? options.concurrency + 2,
      pollInterval: this.options.pollInterval ?? 2000,
      noHandleSignals: true,
      logger: silentLogger,
      taskList,
    });
    this.runners.add(runner);
    return {
      stop: async () => {
        if (!this.runners.delete(runner)) return;
        await runner.stop();
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.runners].map((runner) => runner.stop()));
    this.runners.clear();
  }
}
