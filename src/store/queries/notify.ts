import { sql } from "drizzle-orm";
import type { TaskStatus } from "../../model/task-status.js";
import type { Tx } from "../database.js";

/** The one NOTIFY channel every process listens on. */
export const EVENTS_CHANNEL = "jobstar";

/** What a NOTIFY on {@link EVENTS_CHANNEL} carries: small, so it stays far below NOTIFY's 8000-byte cap. */
export interface JobEvent {
  /** The model's name, e.g. `TrainingJob`. */
  model: string;
  resourceId: string;
  revisionId: string;
  status: TaskStatus;
  /** When the change was written (ms since the epoch, the writer's clock): for event-lag metrics. */
  at?: number;
}

/** Queues a NOTIFY in `tx`: listeners see it only if and when `tx` commits. */
export async function notifyJobEvent(tx: Tx, event: JobEvent): Promise<void> {
  await tx.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify({ ...event, at: Date.now() })})`);
}
