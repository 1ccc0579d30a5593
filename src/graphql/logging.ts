import { GraphQLError } from "graphql";
import { isTransient, outageReason } from "../store/transient.js";
import { isCallerError, jobstarCause } from "./errors.js";

/**
 * Logs of the GraphQL server. A bad input or a missing job is the caller's business, not an
 * operator's: only the unexpected is logged, and (unless `JOBSTAR_LOG_LEVEL=debug`) without
 * SQL parameter values or the rest of a failed query's message, which may hold payloads.
 */
export function serverLogger(verbose = process.env.JOBSTAR_LOG_LEVEL === "debug") {
  return {
    debug: verbose ? (...args: unknown[]) => console.debug(...args) : () => {},
    info: verbose ? (...args: unknown[]) => console.info(...args) : () => {},
    warn: (...args: unknown[]) => console.warn(...(verbose ? args : args.map(redact))),
    error: (...args: unknown[]) => {
      if (args.some(isExpected)) return;
      // An outage is reported by the run loop and the listener too: one line is enough.
      const outage = args.find((arg) => isTransient(arg instanceof GraphQLError ? arg.originalError : arg));
      if (outage && !verbose) {
        console.warn(`jobstar: a request failed, the database is unavailable: ${outageReason(outage)}`);
        return;
      }
      console.error(...(verbose ? args : args.map(redact)));
    },
  };
}

/** A caller's error (bad input, not found, …) is theirs to see; an unusable database is the operator's. */
function isExpected(arg: unknown): boolean {
  return isCallerError(jobstarCause(arg));
}

/** An error as one safe line: its kind, code and the first line of its message, without values. */
export function redact(arg: unknown): unknown {
  if (!(arg instanceof Error)) return arg;
  let error: unknown = arg;
  while (error instanceof GraphQLError && error.originalError) error = error.originalError;
  const parts: string[] = [];
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    const firstLine = (cause.message.split("\n")[0] ?? "").replace(/^Failed query: .*/s, "Failed query");
    parts.push(`${cause.name}${typeof code === "string" ? ` [${code}]` : ""}: ${firstLine.slice(0, 200)}`);
    cause = cause.cause;
  }
  return `jobstar: unexpected error: ${parts.join(" <- ")} (JOBSTAR_LOG_LEVEL=debug shows all)`;
}
