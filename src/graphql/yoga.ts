import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { sql } from "drizzle-orm";
import { GraphQLError } from "graphql";
import { createYoga, type Plugin, useReadinessCheck, type YogaServerInstance } from "graphql-yoga";
import { ANONYMOUS } from "../resource/actor.js";
import type { Spec } from "../spec.js";
import type { GraphQLContext } from "./context.js";
import { isCallerError, toGraphQLError } from "./errors.js";
import { exampleQuery } from "./graphiql.js";
import { buildSchema } from "./schema.js";

/** What the context factory is given: an HTTP request, or a graphql-ws connection's params. */
export interface RequestSource {
  request?: Request;
  connectionParams?: Readonly<Record<string, unknown>>;
}

/** Options of {@link createGraphQLHandler}. */
export interface GraphQLHandlerOptions {
  /**
   * Who is acting, from the HTTP request or the graphql-ws `connectionParams`; it
   * becomes `createdBy`/`updatedBy` of what the operation writes. Return null for
   * anonymous. Default: everyone is `"anonymous"`.
   */
  user?: (source: RequestSource) => string | null | undefined | Promise<string | null | undefined>;
  /** Path of the GraphQL endpoint. Default: `/graphql`. */
  graphqlEndpoint?: string;
  /** Serve GraphiQL to browsers on the endpoint. Default: true. */
  graphiql?: boolean;
  /** More yoga (envelop) plugins, after jobstar's own. */
  plugins?: Plugin[];
}

/** The yoga server type of {@link createGraphQLHandler}. */
export type GraphQLHandler = YogaServerInstance<RequestSource, GraphQLContext>;

/**
 * A graphql-yoga handler for a spec's models: HTTP and SSE on the endpoint, GraphiQL
 * for browsers, `/health` (the process answers) and `/ready` (the database answers).
 * Errors are mapped once here: jobstar errors keep their message and `code`, others are masked.
 */
export function createGraphQLHandler(spec: Spec, options: GraphQLHandlerOptions = {}): GraphQLHandler {
  const resolveUser = options.user ?? (() => null);
  return createYoga<RequestSource, GraphQLContext>({
    schema: buildSchema(spec),
    graphqlEndpoint: options.graphqlEndpoint ?? "/graphql",
    graphiql:
      options.graphiql === false
        ? false
        : { title: "jobstar", subscriptionsProtocol: "WS", defaultQuery: exampleQuery(spec) },
    // GraphiQL's page and scripts are served from the package, not a CDN: it works offline.
    renderGraphiQL,
    landingPage: false,
    logging: quietAboutExpectedErrors,
    context: async (source) => ({ user: (await resolveUser(source)) || ANONYMOUS }),
    maskedErrors: { maskError: (error, message) => toGraphQLError(error, message) },
    plugins: [
      useReadinessCheck({
        endpoint: "/ready",
        check: async () => {
          const { database } = await spec.start();
          await database.db.execute(sql`select 1`);
        },
      }),
      ...(options.plugins ?? []),
    ],
  });
}

/** A bad input or a missing job is the caller's business, not an operator's: log only the unexpected. */
const quietAboutExpectedErrors = {
  debug: () => {},
  info: () => {},
  warn: (...args: unknown[]) => console.warn(...args),
  error: (...args: unknown[]) => {
    const expected = args.some(
      (arg) => isCallerError(arg) || (arg instanceof GraphQLError && isCallerError(arg.originalError)),
    );
    if (!expected) console.error(...args);
  },
};
