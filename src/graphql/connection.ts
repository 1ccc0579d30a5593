import { ValidationError } from "../errors.js";
import type { Page } from "../resource/types.js";

/** Relay's connection arguments. */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** A page request in store terms: `inverted` pages backwards (for `last`). */
export interface PageRequest {
  limit: number;
  after?: string;
  before?: string;
  inverted: boolean;
}

/** Default and largest page sizes. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Turns Relay arguments into a page request; `last`/`before` page backwards. */
export function pageRequest(args: ConnectionArgs): PageRequest {
  for (const field of ["first", "last"] as const) {
    const value = args[field];
    if (value !== null && value !== undefined && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw new ValidationError(
        [{ path: [field], message: `must be from 0 to ${MAX_PAGE_SIZE}` }],
        "invalid page",
      );
    }
  }
  if (args.first != null && args.last != null) {
    throw new ValidationError([{ path: ["last"], message: "cannot be combined with first" }], "invalid page");
  }
  const opt = (value: string | null | undefined) => (value ? value : undefined);
  if (args.last != null) {
    return { limit: args.last, after: opt(args.before), before: opt(args.after), inverted: true };
  }
  return {
    limit: args.first ?? DEFAULT_PAGE_SIZE,
    after: opt(args.after),
    before: opt(args.before),
    inverted: false,
  };
}

/** A Relay connection with `totalCount`. */
export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number;
}

/** Builds a connection from a store page fetched for `request`. */
export function toConnection<T>(page: Page<T>, request: PageRequest): Connection<T> {
  const edges = page.items.map((node, i) => ({ cursor: page.cursors[i] ?? "", node }));
  if (request.inverted) edges.reverse();
  return {
    edges,
    // Relay allows false where finding out would cost another query (the side we came from).
    pageInfo: {
      hasNextPage: request.inverted ? false : page.hasMore,
      hasPreviousPage: request.inverted ? page.hasMore : false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: page.totalCount,
  };
}

/** An empty connection (for `first: 0`). */
export function emptyConnection<T>(totalCount: number): Connection<T> {
  return {
    edges: [],
    pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    totalCount,
  };
}
