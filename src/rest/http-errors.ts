/**
 * The one place errors become HTTP responses of the REST routes, with the same codes
 * (and the same masking) as the GraphQL edge gives them.
 */
import { BadRequestError, type ErrorCode, LimitExceededError, ValidationError } from "../errors.js";
import { isCallerError } from "../graphql/errors.js";
import { isTransient } from "../store/transient.js";

/** The body of every REST error: `{ error: { code, message, fields? } }`. */
export interface RestErrorBody {
  error: {
    /** A stable jobstar error code (`VALIDATION_FAILED`, `NOT_FOUND`, …). */
    code: string;
    message: string;
    /** For `VALIDATION_FAILED`: each failing field (`payload.algo`) and why. */
    fields?: { path: string; message: string }[];
    /** For `LIMIT_EXCEEDED`: which limit. */
    limit?: string;
  };
}

/** HTTP status of each caller error code; anything not listed is a 400. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  MODEL_NOT_REGISTERED: 404,
  CONFLICT: 409,
  LIMIT_EXCEEDED: 413,
};

/** The HTTP status and body of `error`; errors that are not the caller's are masked (500, or 503 for an outage). */
export function toHttpError(error: unknown): { status: number; body: RestErrorBody } {
  if (isCallerError(error)) {
    const body: RestErrorBody = { error: { code: error.code, message: error.message } };
    if (error instanceof ValidationError) {
      body.error.fields = error.issues.map((issue) => ({
        path: issue.path.join("."),
        message: issue.message,
      }));
    }
    if (error instanceof LimitExceededError) body.error.limit = error.limit;
    return { status: STATUS[error.code] ?? 400, body };
  }
  if (isDataException(error)) {
    const mapped = new BadRequestError(
      "invalid input value: PostgreSQL cannot take it (a NUL byte, or out of range)",
    );
    return { status: 400, body: { error: { code: mapped.code, message: mapped.message } } };
  }
  if (isTransient(error)) {
    return {
      status: 503,
      body: {
        error: {
          code: "SERVICE_UNAVAILABLE",
          message: "The database is unavailable right now; try again shortly.",
        },
      },
    };
  }
  return { status: 500, body: { error: { code: "INTERNAL_SERVER_ERROR", message: "Unexpected error." } } };
}

/** A PostgreSQL data exception (SQLSTATE class 22): the caller's input, whatever check missed it. */
function isDataException(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code)) return true;
    cause = cause.cause;
  }
  return false;
}
