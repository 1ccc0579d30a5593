import { findPartitionHeads } from "../store/queries/partition-heads.js";
import type { UnitOfWork } from "../store/unit-of-work.js";
import type { MessageQueue, QueueMessage } from "./message-queue.js";

/**
 * Serial partitions: jobs of one model with one `partitionKey` run one at a time, in
 * submission order. The database decides, in the claim: a job is claimed only if no job
 * of its partition is PROCESSING and no earlier-submitted one is PENDING (a unique
 * partial index backs the first rule). A delivery that cannot claim for that reason
 * leaves the job PENDING, untouched, and is dropped ("parked"). So whoever ends or
 * re-queues a partition's job hands the partition on: it enqueues the partition's next
 * job in its own transaction (this module). Extra messages are harmless: the claim drops
 * a message whose attempt token is stale, and parks one whose turn has not come.
 */

/** The name of the unique index that makes two running jobs of one partition impossible. */
export const PARTITION_RUNNING_INDEX = "resources_partition_running_idx";

/** Whether `error` is the database refusing a second running job in a partition. */
export function isPartitionBusy(error: unknown): boolean {
  const e = error as { code?: unknown; constraint_name?: unknown } | null;
  return e?.code === "23505" && e.constraint_name === PARTITION_RUNNING_INDEX;
}

/**
 * Enqueues, inside `unit`, the next PENDING job of each partition in `keys` (of `model`),
 * with its current attempt token, due time and priority. `skip`: jobs already enqueued
 * by the caller.
 */
export async function enqueuePartitionHeads(
  unit: UnitOfWork,
  queue: MessageQueue,
  model: string,
  keys: Iterable<string>,
  skip: ReadonlySet<string> = new Set(),
): Promise<void> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return;
  const heads = await findPartitionHeads(unit.sql, model, unique);
  await queue.enqueueMany(unit, heads.filter((head) => !skip.has(head.resourceId)).map(toMessage));
}

/** A queue message for a PENDING job as read from the database. */
export function toMessage(job: {
  model: string;
  resourceId: string;
  attempt: number;
  runAt: Date | null;
  priority: number;
}): QueueMessage {
  return {
    model: job.model,
    resourceId: job.resourceId,
    attempt: job.attempt,
    priority: job.priority,
    ...(job.runAt ? { runAt: job.runAt } : {}),
  };
}
