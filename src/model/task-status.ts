/** The life cycle of a job. `cancelled` is jobstar's addition to SpecStar's four states. */
export const TaskStatus = {
  PENDING: "pending",
  PROCESSING: "processing",
  COMPLETED: "completed",
  FAILED: "failed",
  CANCELLED: "cancelled",
} as const;

/** One of {@link TaskStatus}'s values. */
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** All statuses, in life-cycle order. */
export const TASK_STATUSES: readonly TaskStatus[] = Object.values(TaskStatus);

/** Statuses a job never leaves by itself (only `rerun` moves it on). */
export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set([
  TaskStatus.COMPLETED,
  TaskStatus.FAILED,
  TaskStatus.CANCELLED,
]);

/** Whether `status` is terminal: completed, failed or cancelled. */
export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}
