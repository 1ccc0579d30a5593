// What a worker's no-op handler does: nothing, or (for the idle-latency figure) print when
// it started job n, on this machine's clock, which the producer process shares.
import { wallNow } from "../clock.js";

export const reportStarts = process.env.REPORT_STARTS === "true";

export function started(n: number): void {
  if (reportStarts) process.stdout.write(`start ${n} ${wallNow().toFixed(3)}\n`);
}

/** Stops the worker on SIGTERM with `stop`, then exits. */
export function exitOnSigterm(stop: () => Promise<unknown>): void {
  process.once("SIGTERM", () => {
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("worker: stop failed", error);
        process.exit(1);
      },
    );
  });
}
