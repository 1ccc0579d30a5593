// A clock two processes on this machine share, finer than Date.now()'s whole milliseconds:
// each process's start on the system clock plus its monotonic time since.

/** Milliseconds since the epoch, with a fractional part. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
