import type { Logger } from "../log/logger.js";
import type { Database } from "../store/database.js";
import type { UnitOfWork } from "../store/unit-of-work.js";

/**
 * A job to run: which model, which resource, the attempt token of the PENDING state it
 * was made for, and not before when. A message whose token is no longer the job's is
 * stale and is dropped by the claim, so a queue may deliver a message any number of times.
 */
export interface QueueMessage {
  /** The model's key, e.g. `training-job`. */
  model: string;
  resourceId: string;
  /**
   * `resources.attempt` when the message was made, or {@link CURRENT_ATTEMPT} for a
   * message from outside jobstar that names only the job (e.g. one sent by Python Celery).
   */
  attempt: number;
  /** Run no earlier than this; default now. */
  runAt?: Date;
  /** Among due messages, a higher priority is delivered first; default 0. */
  priority?: number;
}

/**
 * The attempt token of a message that names only its job: it may claim whatever PENDING
 * state the job is in when it arrives (a claim still needs PENDING, and two such messages
 * at once still claim it once).
 */
export const CURRENT_ATTEMPT = -1;

/** How to consume. */
export interface ConsumeOptions {
  /** Model keys to take messages of. */
  models: string[];
  /** Messages processed at once. */
  concurrency: number;
  /**
   * Processes one message. Resolves when the message may be dropped: the job's handler
   * ran (the run loop then records its outcome, holding the job's lease until it has), or
   * the message was stale. Rejects only when the consumer is
   * stopping before the claim could reach the database: deliver the message again later.
   */
  process(message: QueueMessage): Promise<void>;
  /**
   * Names messages the queue holds for this consumer and will deliver soon (e.g. those
   * graphile-worker's local queue just fetched), so that their jobs can be read in one
   * statement ahead of their claims. A hint: a queue that holds nothing calls it never.
   */
  readAhead?(messages: QueueMessage[]): void;
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
  /** Enqueues many messages inside `unit`'s transaction, as {@link enqueue} does one. */
  enqueueMany(unit: UnitOfWork, messages: QueueMessage[]): Promise<void>;
  /**
   * Removes `message`'s entry inside `unit`'s transaction if it still waits (a cancelled
   * job). Best effort: an entry delivered anyway is dropped by the claim.
   */
  discard(unit: UnitOfWork, message: QueueMessage): Promise<void>;
  /**
   * The ids of this process's consumers (e.g. graphile-worker pools, which hold queue
   * entries, or broker consumers); they are marked alive in `jobstar.workers` every heartbeat.
   */
  liveConsumerIds(): string[];
  /**
   * Makes what dead or paused consumers (of any process) hold deliverable again; called
   * by every live process's sweeper. Returns how many consumers were released.
   */
  releaseDead(staleAfter: number): Promise<number>;
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
  /** How often running jobs' heartbeats (and live workers) are written, and stale ones looked for. Default: 5. */
  heartbeatInterval: number;
  /**
   * A PROCESSING job with no heartbeat for this long is recovered (one retry spent), and
   * queue entries held by a worker not seen for this long are released. Default: 15.
   */
  staleAfter: number;
}

/** Options every queue factory takes. */
export type QueueFactoryOptions = Partial<RunSettings>;

/** Makes the queue of a database; given to `spec.configure({ messageQueueFactory })`. */
export interface MessageQueueFactory {
  readonly settings: RunSettings;
  /** The queue of `database`; it reports outages and restarts through `logger`. */
  create(database: Database, logger?: Logger): MessageQueue;
}

/** Fills in the defaults of {@link RunSettings}. */
export function runSettings(options: QueueFactoryOptions = {}): RunSettings {
  const settings: RunSettings = {
    maxRetries: options.maxRetries ?? 3,
    retryDelay: options.retryDelay ?? ((retry) => Math.min(2 ** (retry - 1), 300)),
    heartbeatInterval: options.heartbeatInterval ?? 5,
    staleAfter: options.staleAfter ?? 15,
  };
  if (!(settings.heartbeatInterval > 0) || !(settings.staleAfter > settings.heartbeatInterval)) {
    throw new RangeError("heartbeatInterval must be > 0 and staleAfter greater than heartbeatInterval");
  }
  return settings;
}
