import { EventEmitter } from "node:events";
import { sql } from "drizzle-orm";
import { type Job, type Runner, run, type TaskList, type WorkerEvents } from "graphile-worker";
import pg from "pg";
import { createLogger, type Logger } from "../log/logger.js";
import type { Database } from "../store/database.js";
import { staleCutoff } from "../store/queries/leases.js";
import { removeWorkers } from "../store/queries/workers.js";
import { pause } from "../store/transient.js";
import type { UnitOfWork } from "../store/unit-of-work.js";
import { graphileLogger } from "./graphile-logger.js";
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
  /**
   * Fetch (and lock) up to this many entries at a time into a local queue
   * (graphile-worker's `localQueue.size`): one query feeds many handlers, and their
   * claims are then written together. Entries locked by a process that dies are released
   * like any other held by a dead worker; a stopping worker hands back those it did not
   * start. 0 fetches one entry per handler slot. Fetched entries wait in this process
   * until one of its slots is free: with long-running jobs on several workers, 0 lets
   * whichever worker is free take the next job. Default: twice the concurrency.
   */
  localQueueSize?: number;
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

  create(database: Database, logger?: Logger): MessageQueue {
    return new GraphileMessageQueue(database, this.options, logger ?? createLogger());
  }
}

/** The graphile-worker task identifier of a model. */
export function taskIdentifier(model: string): string {
  return `jobstar:${model}`;
}

/** The graphile-worker job key of the entry of one PENDING state of a job. */
function entryKey(message: QueueMessage): string {
  return `${message.resourceId}#${message.attempt}`;
}

/** The message an entry's payload carries, or null if it is not one of jobstar's. */
function messageOf(model: string, payload: unknown): QueueMessage | null {
  const { resourceId, attempt } = (payload ?? {}) as { resourceId?: unknown; attempt?: unknown };
  if (typeof resourceId !== "string") return null;
  // Entries made before attempt tokens existed carry none: they are the current one.
  return { model, resourceId, attempt: typeof attempt === "number" ? attempt : 0 };
}

/**
 * graphile-worker's own attempts only cover a delivery that failed before its claim
 * (the worker stopping while the database was away); jobstar counts job retries itself.
 */
const DELIVERY_ATTEMPTS = 25;

/** How long the supervisor waits before restarting a runner that stopped by itself, at most. */
const MAX_RESTART_DELAY_MS = 30_000;

class GraphileMessageQueue implements MessageQueue {
  private readonly consumers = new Set<SupervisedRunner>();
  private sweeps = 0;
  private readonly log: Logger;

  constructor(
    private readonly database: Database,
    private readonly options: GraphileQueueOptions,
    logger: Logger,
  ) {
    this.log = logger.child({ component: "graphile-worker" });
  }

  async enqueue(unit: UnitOfWork, message: QueueMessage): Promise<void> {
    await this.enqueueMany(unit, [message]);
  }

  async enqueueMany(unit: UnitOfWork, messages: QueueMessage[]): Promise<void> {
    if (messages.length === 0) return;
    // One entry per PENDING state: its key names the job and the attempt token. An entry
    // of an earlier state, even one a paused worker still holds (and will delete by id
    // when it wakes up), is never rewritten to serve a later one, so no state loses its
    // entry; an earlier entry delivered late is dropped by the claim.
    const now = new Date();
    const specs = messages.map((message) => ({
      identifier: taskIdentifier(message.model),
      payload: { resourceId: message.resourceId, attempt: message.attempt },
      run_at: message.runAt ?? now,
      max_attempts: DELIVERY_ATTEMPTS,
      // graphile-worker runs a lower number first.
      priority: -(message.priority ?? 0),
      job_key: entryKey(message),
    }));
    await unit.sql`select graphile_worker.add_jobs(
      array(select json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify(specs)}::json)))`;
  }

  async discard(unit: UnitOfWork, message: QueueMessage): Promise<void> {
    // Removes the entry if it waits; one being delivered right now is dropped by its claim.
    await unit.tx.execute(sql`select graphile_worker.remove_job(${entryKey(message)})`);
  }

  liveConsumerIds(): string[] {
    return [...this.consumers].flatMap((consumer) => consumer.poolIds());
  }

  async releaseDead(staleAfter: number): Promise<number> {
    // A lock is valid only while its holder (a graphile-worker pool) is seen alive in
    // jobstar.workers. Every sweep releases the locks of registered holders that stopped
    // beating (a cheap look at a small table); every twelfth sweep also looks through
    // graphile-worker's locks for holders never registered (a process that died before its
    // first heartbeat), once their locks are older than staleAfter.
    const s = this.database.sql;
    const cutoff = staleCutoff(s, staleAfter);
    const [known] = await s<{ released: number }[]>`
      with dead as (delete from jobstar.workers where last_seen_at < ${cutoff} returning id)
      select cardinality(array(select id from dead)) as released,
             graphile_worker.force_unlock_workers(array(select id from dead))`;
    let released = known?.released ?? 0;
    if (this.sweeps++ % 12 === 0) {
      const [unknown] = await s<{ released: number }[]>`
        with dead as (
          select distinct j.locked_by as id from graphile_worker.jobs as j
          where j.locked_by is not null and j.locked_at < ${cutoff} and j.task_identifier like 'jobstar:%'
            and not exists (select 1 from jobstar.workers as w where w.id = j.locked_by))
        select cardinality(array(select id from dead)) as released,
               graphile_worker.force_unlock_workers(array(select id from dead))`;
      released += unknown?.released ?? 0;
    }
    return released;
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    const consumer = new SupervisedRunner(this.database, this.options, options, this.log);
    await consumer.start();
    this.consumers.add(consumer);
    return {
      stop: async () => {
        if (!this.consumers.delete(consumer)) return;
        await consumer.stop();
      },
    };
  }

  async close(): Promise<void> {
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
  }
}

/** How long graphile-worker gathers completions of queue entries before deleting them together. */
const COMPLETE_BATCH_DELAY_MS = 10;

/**
 * Planner settings for graphile-worker's own connections. Its fetch of due entries
 * (`order by priority, run_at limit N for update skip locked`) has an index that yields
 * them in order, but right after a burst of creates the table's statistics are stale
 * (autovacuum analyzes it up to a minute later) and the planner, expecting a handful of
 * rows, sorts the whole backlog instead: measured at 5-14 ms per fetch of 16 with 10,000
 * queued, 0.7 ms with these settings. Its fetches and completions all have an index or
 * the key to use; a query with none still gets its scan (these settings only make it the
 * last resort). JIT is off because the penalty costs of that last resort would otherwise
 * make the planner compile the query.
 */
const INDEX_DRIVEN_PLANS = "-c enable_seqscan=off -c enable_sort=off -c jit=off";

/**
 * A graphile-worker runner that is started again when it stops by itself (e.g. it gave
 * up completing jobs while the database was away), on a pool whose errors are logged
 * rather than left to crash the process.
 */
class SupervisedRunner {
  private runner: Runner | null = null;
  private readonly pools = new Set<string>();
  private readonly stopped = new AbortController();
  private supervising: Promise<void> | null = null;
  private pgPool: pg.Pool;

  constructor(
    private readonly database: Database,
    private readonly options: GraphileQueueOptions,
    private readonly consume: ConsumeOptions,
    private readonly log: Logger,
  ) {
    this.pgPool = new pg.Pool({
      connectionString: database.url,
      max: options.maxPoolSize ?? consume.concurrency + 2,
      connectionTimeoutMillis: 10_000,
      // Set when each connection starts (no statement of its own to run first).
      options: INDEX_DRIVEN_PLANS,
    });
    // A client whose server went away (idle in the pool, or checked out between queries)
    // is logged and dropped; the pool connects anew on next use. Unhandled, these
    // 'error' events would end the process.
    const lost = (error: Error) => this.log.warn({ reason: error.message }, "connection lost");
    this.pgPool.on("error", lost);
    this.pgPool.on("connect", (client) => client.on("error", lost));
  }

  /** The ids of the pools of this consumer (one at a time, a new one after each restart). */
  poolIds(): string[] {
    return [...this.pools];
  }

  /** Starts the first runner; rejects if it cannot (the database is unreachable). */
  async start(): Promise<void> {
    this.runner = await this.startRunner();
    this.supervising = this.supervise();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    const runner = this.runner;
    this.runner = null;
    await runner?.stop().catch((error: unknown) => this.log.warn({ reason: String(error) }, "stop failed"));
    await this.supervising;
    // Clean exit: nothing of ours is locked any more, so nobody needs to wait staleAfter.
    await removeWorkers(this.database.sql, this.poolIds()).catch(() => {});
    await this.pgPool.end().catch(() => {});
  }

  private async startRunner(): Promise<Runner> {
    const taskList: TaskList = {};
    const models = new Map(this.consume.models.map((model) => [taskIdentifier(model), model]));
    for (const [identifier, model] of models) {
      taskList[identifier] = async (payload) => {
        const message = messageOf(model, payload);
        if (!message) throw new Error(`malformed jobstar queue payload: ${JSON.stringify(payload)}`);
        await this.consume.process(message);
      };
    }
    const events: WorkerEvents = new EventEmitter();
    // The entries just fetched into the local queue: their jobs are read in one statement
    // while the first of them are being claimed.
    events.on("localQueue:getJobs:complete", ({ jobs }: { jobs: readonly Job[] }) => {
      const messages = jobs.flatMap((job) => {
        const model = models.get(job.task_identifier);
        const message = model ? messageOf(model, job.payload) : null;
        return message ? [message] : [];
      });
      if (messages.length > 0) this.consume.readAhead?.(messages);
    });
    events.on("pool:create", ({ workerPool }: { workerPool: { id: string } }) =>
      this.pools.add(workerPool.id),
    );
    events.on("pool:release", ({ workerPool }: { workerPool: { id: string } }) =>
      this.pools.delete(workerPool.id),
    );
    const localQueueSize = this.options.localQueueSize ?? this.consume.concurrency * 2;
    return run({
      pgPool: this.pgPool,
      concurrency: this.consume.concurrency,
      pollInterval: this.options.pollInterval ?? 2000,
      noHandleSignals: true,
      logger: graphileLogger(this.log),
      events,
      taskList,
      preset: {
        worker: {
          ...(localQueueSize > 0 ? { localQueue: { size: localQueueSize } } : {}),
          // Outcomes are batched, and a failure to write them ends the runner (which the
          // supervisor restarts) instead of an unhandled rejection. Completions wait a
          // little to share a statement: the job's row, not its entry, says whether it
          // ran, so an entry a crash leaves meanwhile is released and finds nothing to
          // claim (a PROCESSING job is recovered by the sweeper, as any dead worker's).
          completeJobBatchDelay: COMPLETE_BATCH_DELAY_MS,
          failJobBatchDelay: 0,
          // jobstar's stopConsume decides how long handlers get; graphile-worker waits for them.
          gracefulShutdownAbortTimeout: 24 * 3600 * 1000,
        },
      },
    });
  }

  private async supervise(): Promise<void> {
    let delay = 500;
    while (!this.stopped.signal.aborted) {
      const runner = this.runner;
      if (!runner) return;
      const error = await runner.promise.then(
        () => null,
        (reason: unknown) => reason,
      );
      if (this.stopped.signal.aborted) return;
      this.log.warn({ reason: String(error ?? "none given") }, "runner stopped by itself; restarting");
      for (;;) {
        await pause(delay, this.stopped.signal);
        if (this.stopped.signal.aborted) return;
        try {
          this.runner = await this.startRunner();
          this.log.info({}, "runner restarted");
          delay = 500;
          break;
        } catch (startError) {
          delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
          this.log.warn({ reason: String(startError), retryInMs: delay }, "runner restart failed");
        }
      }
    }
  }
}
