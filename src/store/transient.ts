/** Connection-level error codes of Node and postgres.js: the database could not be reached or went away. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/** SQLSTATEs that say "try again": connection exceptions, shutdowns, too many clients, conflicts. */
const RETRYABLE_STATES = /^(08|57P0[123]|53300|40001|40P01)/;

/**
 * Whether `error` says the database is (for now) out of reach, rather than that the
 * statement itself is wrong: such an operation is worth retrying once it is back.
 */
export function isTransient(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (CONNECTION_CODES.has(code) || RETRYABLE_STATES.test(code))) return true;
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) return errors.some(isTransient);
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isTransient(cause);
}

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * A one-line reason for an outage error, without the query or its parameters (a
 * wrapper such as Drizzle's puts both in its message): the innermost error's code and message.
 */
export function outageReason(error: unknown): string {
  let inner: unknown = error;
  while (inner && typeof inner === "object" && "cause" in inner && (inner as { cause?: unknown }).cause) {
    inner = (inner as { cause: unknown }).cause;
  }
  if (inner instanceof Error) {
    const code = (inner as { code?: unknown }).code;
    return typeof code === "string" ? `${code} ${inner.message}` : inner.message;
  }
  return String(inner);
}
