import { appendRevision } from "../store/queries/append-revision.js";
import type { ResourceRow } from "../store/queries/rows.js";
import type { UnitOfWork } from "../store/unit-of-work.js";
import type { MessageQueue, RunSettings } from "./message-queue.js";
import { enqueuePartitionHeads } from "./partitions.js";
import { nextState, type RunOutcome } from "./transitions.js";

/** What writing an outcome needs. */
export interface OutcomeContext {
  modelName: string;
  settings: RunSettings;
  queue: MessageQueue;
  /** Who records it: the worker that ran the attempt, or `jobstar:recovery`. */
  user: string;
}

/**
 * Ends the running attempt of `row` (locked in `unit`) with `outcome`: a stable revision,
 * the lease dropped, and a queue entry with the same attempt token when the job is to run
 * again (retry, delay, periodic run); for a job of a partition, its partition's next job
 * enqueued too.
 */
export async function recordOutcome(
  unit: UnitOfWork,
  row: ResourceRow,
  outcome: RunOutcome,
  context: OutcomeContext,
): Promise<void> {
  const now = new Date();
  const next = nextState(row.data, outcome, context.settings, now);
  await appendRevision(unit.tx, row, context.modelName, {
    data: next.data,
    status: "stable",
    user: context.user,
    onBehalfOf: row.createdBy,
    now,
    lease: { attempt: row.attempt, leasedBy: null },
    runAt: next.runAt,
  });
  if (next.runAt) {
    await context.queue.enqueue(unit, {
      model: row.model,
      resourceId: row.resourceId,
      attempt: row.attempt,
      runAt: next.runAt,
      priority: row.data.priority ?? 0,
    });
  }
  // The partition is free: its next job (perhaps this one, already enqueued) may run.
  if (row.partitionKey !== null) {
    const skip = new Set(next.runAt ? [row.resourceId] : []);
    await enqueuePartitionHeads(unit, context.queue, row.model, [row.partitionKey], skip);
  }
}
