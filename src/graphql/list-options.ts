import type { TaskStatus } from "../model/task-status.js";
import type { ListOptions } from "../resource/manager.js";
import type { SortField } from "../store/queries/list-resources.js";
import type { PageRequest } from "./connection.js";

/** A list's `where` argument (`JobWhere`), as GraphQL hands it over. */
export interface JobWhereArgs {
  status?: readonly string[] | null;
  createdBy?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  updatedAfter?: Date | null;
  updatedBefore?: Date | null;
  partitionKey?: string | null;
}

/** A list's `orderBy` argument (`JobOrder`). */
export interface JobOrderArgs {
  field?: SortField | null;
  direction?: "asc" | "desc" | null;
}

/**
 * The library's list options for a GraphQL list's filter, order and page (default: newest
 * first). A page asked for backwards (`last`/`before`) is read in the reverse order.
 */
export function listOptions(
  where: JobWhereArgs | null | undefined,
  orderBy: JobOrderArgs | null | undefined,
  request: PageRequest,
): ListOptions {
  const direction = orderBy?.direction ?? "desc";
  return {
    status: (where?.status ?? undefined) as TaskStatus[] | undefined,
    createdBy: where?.createdBy ?? undefined,
    createdAfter: where?.createdAfter ?? undefined,
    createdBefore: where?.createdBefore ?? undefined,
    updatedAfter: where?.updatedAfter ?? undefined,
    updatedBefore: where?.updatedBefore ?? undefined,
    partitionKey: where?.partitionKey ?? undefined,
    sortBy: orderBy?.field ?? "createdTime",
    order: request.inverted ? (direction === "asc" ? "desc" : "asc") : direction,
    limit: Math.max(request.limit, 1),
    after: request.after,
    before: request.before,
  };
}
