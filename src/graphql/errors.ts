import { GraphQLError } from "graphql";
import {
  BadRequestError,
  DatabaseUnavailableError,
  JobstarError,
  LimitExceededError,
  ValidationError,
} from "../errors.js";
import { isTransient } from "../store/transient.js";

/**
 * The one place errors become GraphQL errors: a {@link JobstarError} keeps its message
 * and gets `extensions.code` (and, for validation, the failing `fields`); GraphQL's own
 * errors pass through; a database that cannot be reached is `SERVICE_UNAVAILABLE`;
 * anything else is masked as an internal error.
 */
export function toGraphQLError(error: unknown, message = "Unexpected error."): GraphQLError {
  const base = error instanceof GraphQLError ? error : null;
  // graphql-js wraps some of its own errors in another (a variable's coercion error in
  // `Variable "$x" got invalid value …`): look through to the first that is not one.
  let original: unknown = base ? (base.originalError ?? null) : error;
  while (original instanceof GraphQLError && original.originalError) original = original.originalError;
  original = asCallersError(original) ?? original;
  if (isCallerError(original)) {
    const extensions: Record<string, unknown> = { code: original.code };
    if (original instanceof LimitExceededError) extensions.limit = original.limit;
    const status = HTTP_STATUS[original.code];
    if (status) extensions.http = { status };
    if (original instanceof ValidationError) {
      extensions.fields = original.issues.map((issue) => ({
        path: issue.path.join("."),
        message: issue.message,
      }));
    }
    // No `originalError`: yoga would count the error as unexpected and answer a
    // subscription that fails at its start with HTTP 500. The cause is kept aside, for the logs.
    const mapped = new GraphQLError(original.message, {
      nodes: base?.nodes,
      source: base?.source,
      positions: base?.positions,
      path: base?.path,
      extensions,
    });
    causes.set(mapped, original);
    return mapped;
  }
  if (base && (original === null || original instanceof GraphQLError)) return base;
  if (isTransient(original)) {
    // The database is restarting or out of reach: the caller may simply try again.
    return new GraphQLError("The database is unavailable right now; try again shortly.", {
      nodes: base?.nodes,
      path: base?.path,
      extensions: { code: "SERVICE_UNAVAILABLE" },
    });
  }
  return new GraphQLError(message, {
    nodes: base?.nodes,
    path: base?.path,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
}

/**
 * Whether an error is the caller's business (bad input, not found, conflict) and so shown
 * to them as it is; an unreachable database is not (it answers `SERVICE_UNAVAILABLE`).
 */
export function isCallerError(error: unknown): error is JobstarError {
  return error instanceof JobstarError && !(error instanceof DatabaseUnavailableError);
}

const causes = new WeakMap<GraphQLError, JobstarError>();

/** The jobstar error a GraphQL error was mapped from by {@link toGraphQLError}, if any. */
export function jobstarCause(error: unknown): JobstarError | undefined {
  if (error instanceof JobstarError) return error;
  if (!(error instanceof GraphQLError)) return undefined;
  if (error.originalError instanceof JobstarError) return error.originalError;
  return causes.get(error);
}

/** HTTP statuses of error codes that decide a response's status by themselves. */
const HTTP_STATUS: Partial<Record<string, number>> = { UNAUTHENTICATED: 401 };

/**
 * A PostgreSQL data exception (SQLSTATE class 22: a NUL byte, a date or number out of
 * range) reached the database: the caller's input was bad, whatever check missed it.
 */
function asCallersError(error: unknown): BadRequestError | null {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code)) {
      return new BadRequestError(
        "invalid input value: PostgreSQL cannot take it (a NUL byte, or out of range)",
      );
    }
    cause = cause.cause;
  }
  return null;
}
