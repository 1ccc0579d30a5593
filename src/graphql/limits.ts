/**
 * What one request may cost: limits on documents (through graphql-armor), on root
 * mutation fields, on variables and on live subscriptions, each answering LIMIT_EXCEEDED.
 */

import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import {
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { LimitExceededError } from "../errors.js";

/** Limits on what one request may ask for. Every one has a safe default. */
export interface RequestLimits {
  /** Deepest field nesting of an operation (introspection excepted). Default: 12. */
  maxDepth?: number;
  /** Aliases in one operation. Default: 15. */
  maxAliases?: number;
  /** Lexical tokens of a document; also bounds nesting, so the parser cannot overflow. Default: 1000. */
  maxTokens?: number;
  /**
   * graphql-armor's cost of an operation: objects 2, scalars 1, ×1.5 per level, × a literal
   * `first`/`last`. Default: 50,000 (a page of 100 jobs with their fields costs about 10,000).
   */
  maxCost?: number;
  /** Directives in one operation. Default: 50. */
  maxDirectives?: number;
  /** Root fields of a mutation: jobs one request may submit, cancel or rerun. Default: 10. */
  maxMutationFields?: number;
  /** Ids in one `nodes(ids:)`. Default: 100. */
  maxNodes?: number;
  /** Nesting of the variables' JSON (objects and lists). Default: 64. */
  maxVariableDepth?: number;
  /** Bytes of a request body (HTTP). Default: 2 MiB. */
  maxBodyBytes?: number;
  /** Live subscriptions of one authenticated user, over all sockets and SSE streams. Default: 500. */
  maxSubscriptionsPerUser?: number;
}

/** {@link RequestLimits} with every default filled in. */
export type ResolvedLimits = Required<RequestLimits>;

/** The defaults of {@link RequestLimits}. */
export const DEFAULT_LIMITS: ResolvedLimits = {
  maxDepth: 12,
  maxAliases: 15,
  maxTokens: 1000,
  maxCost: 50_000,
  maxDirectives: 50,
  maxMutationFields: 10,
  maxNodes: 100,
  maxVariableDepth: 64,
  maxBodyBytes: 2 * 1024 * 1024,
  maxSubscriptionsPerUser: 500,
};

/** Fills in the defaults, rejecting a limit that is not a positive integer. */
export function resolveLimits(limits: RequestLimits = {}): ResolvedLimits {
  const resolved = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(limits) as [keyof RequestLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`limits.${name} must be an integer >= 1`);
    resolved[name] = value;
  }
  return resolved;
}

/** Gives a graphql-armor rejection jobstar's code and the name of the limit. */
function coded(limit: keyof RequestLimits) {
  return {
    exposeLimits: true,
    onReject: [
      (_context: unknown, error: GraphQLError) => {
        Object.assign(error.extensions, { code: "LIMIT_EXCEEDED", limit });
      },
    ],
  };
}

/** The envelop plugins enforcing the document limits. */
export function documentLimitPlugins(limits: ResolvedLimits): Plugin[] {
  return [
    maxTokensPlugin({ n: limits.maxTokens, ...coded("maxTokens") }),
    maxDepthPlugin({ n: limits.maxDepth, ignoreIntrospection: true, ...coded("maxDepth") }),
    maxAliasesPlugin({ n: limits.maxAliases, ...coded("maxAliases") }),
    costLimitPlugin({ maxCost: limits.maxCost, ignoreIntrospection: true, ...coded("maxCost") }),
    maxDirectivesPlugin({ n: limits.maxDirectives, ...coded("maxDirectives") }),
    {
      onValidate: ({ addValidationRule }) =>
        addValidationRule(maxMutationFieldsRule(limits.maxMutationFields)),
    },
  ] as Plugin[];
}

/** A validation rule: a mutation selects at most `max` root fields (fragments spread in are counted). */
export function maxMutationFieldsRule(max: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      if (operation.operation !== "mutation") return;
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of context.getDocument().definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      }
      const count = countRootFields(operation.selectionSet, fragments, new Set());
      if (count > max) {
        context.reportError(
          new GraphQLError(`A mutation may select at most ${max} root fields; this one selects ${count}.`, {
            nodes: [operation],
            extensions: { code: "LIMIT_EXCEEDED", limit: "maxMutationFields" },
          }),
        );
      }
    },
  });
}

function countRootFields(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  visited: Set<string>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!(selection as FieldNode).name.value.startsWith("__")) count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, fragments, visited);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (fragment && !visited.has(name)) {
        visited.add(name);
        count += countRootFields(fragment.selectionSet, fragments, visited);
      }
    }
  }
  return count;
}

/**
 * Rejects variables nested deeper than `max` (a walk without recursion, so it cannot
 * overflow), naming the first path that goes too deep: deeper JSON would overflow
 * recursive validation later and become an internal error.
 */
export function checkVariableDepth(variables: unknown, max: number): void {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: variables, path: "variables", depth: 0 },
  ];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (value === null || typeof value !== "object") continue;
    if (depth > max) {
      throw new LimitExceededError(
        "maxVariableDepth",
        `${path}: nested deeper than ${max} levels (limits.maxVariableDepth)`,
      );
    }
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    for (const [key, child] of entries)
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
  }
}

/** Counts live subscriptions per user, to refuse one over the per-user limit. */
export class SubscriptionSlots {
  private readonly live = new Map<string, number>();

  constructor(private readonly max: number) {}

  /**
   * Wraps `source` so that it holds one of `user`'s slots while it runs; throws
   * LIMIT_EXCEEDED (before subscribing) when `user` has none left.
   */
  hold<T>(user: string, source: () => Promise<AsyncIterable<T>>): Promise<AsyncIterable<T>> {
    const used = this.live.get(user) ?? 0;
    if (used >= this.max) {
      throw new LimitExceededError(
        "maxSubscriptionsPerUser",
        `${user} already has ${used} live subscriptions (limits.maxSubscriptionsPerUser)`,
      );
    }
    this.live.set(user, used + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.live.get(user) ?? 1) - 1;
      if (left > 0) this.live.set(user, left);
      else this.live.delete(user);
    };
    return source().then(
      (iterable) => releasing(iterable, release),
      (error: unknown) => {
        release();
        throw error;
      },
    );
  }

  /** Live subscriptions of `user`. */
  count(user: string): number {
    return this.live.get(user) ?? 0;
  }
}

/** `iterable`, calling `release` once when it ends, fails or is returned (even before its first item). */
function releasing<T>(iterable: AsyncIterable<T>, release: () => void): AsyncIterableIterator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      try {
        const result = await iterator.next();
        if (result.done) release();
        return result;
      } catch (error) {
        release();
        throw error;
      }
    },
    async return(value?: unknown) {
      release();
      return iterator.return ? iterator.return(value) : { done: true, value: value as T };
    },
    async throw(error?: unknown) {
      release();
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
  };
}
