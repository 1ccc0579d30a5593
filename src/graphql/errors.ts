import { GraphQLError } from "graphql";
import { JobstarError, ValidationError } from "../errors.js";

/**
 * The one place errors become GraphQL errors: a {@link JobstarError} keeps its message
 * and gets `extensions.code` (and, for validation, the failing `fields`); GraphQL's own
 * errors pass through; anything else is masked as an internal error.
 */
export function toGraphQLError(error: unknown, message = "Unexpected error."): GraphQLError {
  const original = error instanceof GraphQLError ? (error.originalError ?? null) : error;
  const base = error instanceof GraphQLError ? error : null;
  if (original instanceof JobstarError) {
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
  if (base && !base.originalError) return base;
  return new GraphQLError(message, {
    nodes: base?.nodes,
    path: base?.path,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
}
