import { GraphQLError } from "graphql";
import { DatabaseUnavailableError, JobstarError, ValidationError } from "../errors.js";

/**
 * Whether an error is the caller's business (bad input, not found, conflict) and so shown
 * to them; the database being unreachable is the operator's, masked and logged like a bug.
 */
export function isCallerError(error: unknown): error is JobstarError {
  return error instanceof JobstarError && !(error instanceof DatabaseUnavailableError);
}

/**
 * The one place errors become GraphQL errors: a {@link JobstarError} keeps its message
 * and gets `extensions.code` (and, for validation, the failing `fields`); GraphQL's own
 * errors pass through; anything else is masked as an internal error.
 */
export function toGraphQLError(error: unknown, message = "Unexpected error."): GraphQLError {
  const base = error instanceof GraphQLError ? error : null;
  // graphql-js wraps some of its own errors in another (a variable's coercion error in
  // `Variable "$x" got invalid value …`): look through to the first that is not one.
  let original: unknown = base ? (base.originalError ?? null) : error;
  while (original instanceof GraphQLError && original.originalError) original = original.originalError;
  if (isCallerError(original)) {
    const extensions: Record<string, unknown> = { code: original.code };
    if (original instanceof ValidationError) {
      extensions.fields = original.issues.map((issue) => ({
        path: issue.path.join("."),
        message: issue.message,
      }));
    }
    return new GraphQLError(original.message, {
      nodes: base?.nodes,
      source: base?.source,
      positions: base?.positions,
      path: base?.path,
      originalError: original,
      extensions,
    });
  }
  if (base && (original === null || original instanceof GraphQLError)) return base;
  return new GraphQLError(message, {
    nodes: base?.nodes,
    path: base?.path,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
}
