import type { Database } from "../store/database.js";
import type { UnitOfWork } from "../store/unit-of-work.js";

/** A job to run: which model, which resource, and not before when. */
export interface QueueMessage {
  /** The model's key, e.g. `training-job`. */
  model: string;
  resourceId: string;
  /** Run no earlier than this; default now. */
  runAt?: Date;
}

/** Who delivered a message. */
export interface Delivery {
  /** The worker's id; a job it holds is released by this id if the worker dies. */
  workerId: string;
}

/** How to consume. */
export interface ConsumeOptions {
  /** Model keys to take messages of. */
  models: string[];
  /** Messages processed at once. */
  concurrency: number;
  /** Processes one message; a rejection asks the queue to deliver it again later. */
  process(message: QueueMessage, delivery: Delivery): Promise<void>;
}

/** A running consumer. */
export interface Consumer {
  /** Stops taking messages and waits for those in flight. */
  stop(): Promise<void>;
}

/** A queue backend. Every message is also recorded as a PENDING resource, so a queue may deliver more than once. */
export interface MessageQueue {
  /** Enqueues inside `unit`'s transaction: the message exists if and only if the transaction commits. */
  enqueue(unit: UnitOfWork, message: QueueMessage): Promise<void>;
  /** Makes the jobs held by dead workers available again, inside `unit`'s transaction. */
  releaseWorkers(unit: UnitOfWork, workerIds: string[]): Promise<void>;
  /** Starts delivering messages of `options.models`. */
  consume(options: ConsumeOptions): Promise<Consumer>;
  /** Stops every consumer and frees the queue's resources. */
  close(): Promise<void>;
}

/** Settings of the run loop that a queue factory carries. All durations are in seconds. */
export interface RunSettings {
  /** Failed runs a job may retry when it sets no `maxRetries`. Default: 3. */
  maxRetries: number;
  /** Delay before retry number `retry` (1-based). Default: 2^(retry-1) seconds, at most 300. */
  retryDelay: (retry: number) => number;
  /** How often a running handler's heartbeat is written. Default: 10. */
  heartbeatInterval: number;
  /** A PROCESSING job with no heartbeat for this long is recovered. Default: 60. */
  staleAfter: number;
}

/** Options every queue factory takes. */
export type QueueFactoryOptions = Partial<RunSettings>;

/** Makes the queue of a database; given to `spec.configure({ messageQueueFactory })`. */
export interface MessageQueueFactory {
  readonly settings: RunSettings;
  create(database: Database): MessageQueue;
}

/** Fills in the defaults of {@link RunSettings}. */
export function runSettings(options: QueueFactoryOptions = {}): RunSettings {
  return {
    maxRetries: options.maxRetries ?? 3,
    retryDelay: options.retryDelay ?? ((retry) => Math.min(2 ** (retry - 1), 300)),
    heartbeatInterval: options.heartbeatInterval ?? 10,
    staleAfter: options.staleAfter ?? 60,
  };
}
