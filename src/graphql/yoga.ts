import type { IncomingMessage } from "node:http";
import { sql } from "drizzle-orm";
import { createYoga, type Plugin, useReadinessCheck, type YogaServerInstance } from "graphql-yoga";
import { UnauthenticatedError } from "../errors.js";
import type { Principal } from "../model/policy.js";
import { ANONYMOUS } from "../resource/actor.js";
import { type RestOptions, useRest } from "../rest/plugin.js";
import { readAtMost } from "../rest/request.js";
import type { Spec } from "../spec.js";
import type { GraphQLContext } from "./context.js";
import { toGraphQLError } from "./errors.js";
import { exampleQuery } from "./graphiql.js";
import {
  checkVariableDepth,
  documentLimitPlugins,
  type RequestLimits,
  type ResolvedLimits,
  resolveLimits,
  SubscriptionSlots,
} from "./limits.js";
import { serverLogger } from "./logging.js";
import { buildSchema } from "./schema.js";

/**
 * Where a request came from: an HTTP request (queries, mutations, SSE), or a graphql-ws
 * connection's `connectionParams` and the HTTP request that upgraded it.
 */
export interface RequestSource {
  request?: Request;
  connectionParams?: Readonly<Record<string, unknown>>;
  upgradeRequest?: IncomingMessage;
}

/**
 * Finds who is calling: a principal, or null for a caller without valid credentials
 * (answered with UNAUTHENTICATED: HTTP 401, or graphql-ws close code 4401).
 */
export type Authenticate = (source: RequestSource) => Principal | null | Promise<Principal | null>;

/** Options of {@link createGraphQLHandler}. */
export interface GraphQLHandlerOptions {
  /**
   * Turns authentication on: every GraphQL request must carry credentials this accepts
   * (see `bearerTokens`), and each model's policy decides what the principal may do.
   * Default: off; everyone may do everything, as `user` names them.
   */
  authenticate?: Authenticate;
  /**
   * Without `authenticate` only (trusted networks, tests): who is acting, from the request;
   * it becomes `createdBy`/`updatedBy` of what the operation writes. Return null for
   * anonymous. Default: everyone is `"anonymous"`.
   */
  user?: (source: RequestSource) => string | null | undefined | Promise<string | null | undefined>;
  /**
   * Web origins (`https://app.example`) whose pages may call the API: CORS answers them,
   * and graphql-ws accepts their WebSockets. Default: none (same origin only).
   */
  allowedOrigins?: string[];
  /** Limits on what one request may ask for (see {@link RequestLimits}). */
  limits?: RequestLimits;
  /** Path of the GraphQL endpoint. Default: `/graphql`. */
  graphqlEndpoint?: string;
  /** Serve GraphiQL to browsers on the endpoint. Default: true. */
  graphiql?: boolean;
  /**
   * The REST routes (`/api/<model-key>…`), their OpenAPI document (`/openapi.json`) and
   * docs page (`/docs`), with the same identity and permissions as GraphQL; `false` turns
   * them off. Default: on, at those paths.
   */
  rest?: boolean | RestOptions;
  /** More yoga (envelop) plugins, after jobstar's own. */
  plugins?: Plugin[];
}

/** The yoga server type of {@link createGraphQLHandler}. */
export type GraphQLHandler = YogaServerInstance<RequestSource, GraphQLContext>;

/**
 * `authenticate`, answering null (UNAUTHENTICATED) when it throws: a malformed credential
 * that breaks a verifier is the caller's problem, not a 500.
 */
export function failClosed(authenticate: Authenticate): Authenticate {
  return async (source) => {
    try {
      return await authenticate(source);
    } catch (error) {
      console.warn(`jobstar: authenticate failed, taken as no credentials: ${String(error).slice(0, 200)}`);
      return null;
    }
  };
}

/** The limits a handler enforces, for the server's own checks (WebSocket frames). */
const limitsOf = new WeakMap<GraphQLHandler, ResolvedLimits>();

/** The resolved limits of a handler made by {@link createGraphQLHandler}. */
export function handlerLimits(handler: GraphQLHandler): ResolvedLimits {
  return limitsOf.get(handler) ?? resolveLimits();
}

/**
 * A graphql-yoga handler for a spec's models: HTTP and SSE on the endpoint, GraphiQL
 * for browsers, `/health` (the process answers) and `/ready` (the database answers).
 * Errors are mapped once here: jobstar errors keep their message and `code`, others are masked.
 * Requests are authenticated (with `authenticate`), limited (`limits`), and only JSON
 * POSTs are accepted, so that a form on another site cannot run a mutation (CSRF).
 */
export function createGraphQLHandler(spec: Spec, options: GraphQLHandlerOptions = {}): GraphQLHandler {
  const limits = resolveLimits(options.limits);
  const subscriptions = new SubscriptionSlots(limits.maxSubscriptionsPerUser);
  const endpoint = options.graphqlEndpoint ?? "/graphql";
  const authenticate = options.authenticate && failClosed(options.authenticate);
  const resolveUser = options.user ?? (() => null);
  // The principal of each HTTP request, found once by the guard and read by the context.
  const principals = new WeakMap<Request, Principal>();
  const allowed = new Set(options.allowedOrigins ?? []);

  const yoga = createYoga<RequestSource, GraphQLContext>({
    schema: buildSchema(spec),
    graphqlEndpoint: endpoint,
    graphiql:
      options.graphiql === false
        ? false
        : { title: "jobstar", subscriptionsProtocol: "WS", defaultQuery: exampleQuery(spec) },
    // GraphiQL's page and scripts are served from the package, not a CDN: it works offline.
    // They are loaded on the first page view: held in memory they are 30 MB of heap.
    renderGraphiQL: async (graphiqlOptions) =>
      (await import("@graphql-yoga/render-graphiql")).renderGraphiQL(graphiqlOptions),
    landingPage: false,
    // useRequestGuard enforces limits.maxBodyBytes (the Content-Length before parsing; a
    // chunked body read up to the limit). yoga's own limit would pipe every body through
    // one more stream: 2% of the server's CPU under a load of small mutations.
    maxRequestBodySize: false,
    logging: serverLogger(),
    cors: (request) => {
      const origin = request.headers.get("origin");
      if (!origin || !allowed.has(origin)) return false;
      return {
        origin: [origin],
        credentials: true,
        methods: ["GET", "POST"],
        allowedHeaders: ["authorization", "content-type", "accept"],
      };
    },
    context: async (source): Promise<GraphQLContext> => {
      let principal: Principal | null = null;
      if (authenticate) {
        principal = (source.request && principals.get(source.request)) || (await authenticate(source));
        if (!principal) throw new UnauthenticatedError();
        return { user: principal.user, principal, limits, subscriptions };
      }
      return { user: (await resolveUser(source)) || ANONYMOUS, principal, limits, subscriptions };
    },
    maskedErrors: { maskError: (error, message) => toGraphQLError(error, message) },
    plugins: [
      ...(options.rest === false
        ? []
        : [
            useRest(spec, {
              ...(typeof options.rest === "object" ? options.rest : {}),
              maxBodyBytes: limits.maxBodyBytes,
              ...(authenticate
                ? { authenticate: async (request: Request) => authenticate({ request }) }
                : { user: async (request: Request) => resolveUser({ request }) }),
            }),
          ]),
      useRequestGuard({ endpoint, limits, authenticate, principals, graphiql: options.graphiql !== false }),
      ...documentLimitPlugins(limits),
      {
        onParams: ({ params }) => checkVariableDepth(params.variables, limits.maxVariableDepth),
      } satisfies Plugin,
      useReadinessCheck({
        endpoint: "/ready",
        // Not ready until the database answers, within 2 s.
        check: async () => {
          const { database } = await spec.start();
          await Promise.race([
            database.db.execute(sql`select 1`),
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error("the database did not answer")), 2000),
            ),
          ]);
        },
      }),
      ...(options.plugins ?? []),
    ],
  });
  limitsOf.set(yoga, limits);
  return yoga;
}

interface GuardOptions {
  endpoint: string;
  limits: ResolvedLimits;
  authenticate: Authenticate | undefined;
  principals: WeakMap<Request, Principal>;
  graphiql: boolean;
}

/**
 * Checks each request to the endpoint before it is parsed: a POST must be JSON (forms
 * and multipart, which any web page can send, are refused), must say how long it is and
 * stay within `maxBodyBytes`, and the caller must authenticate when that is on.
 */
function useRequestGuard(options: GuardOptions): Plugin {
  const { endpoint, limits, authenticate, principals } = options;
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== endpoint || request.method === "OPTIONS") return;
      if (request.method === "POST") {
        const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
        if (type !== "application/json") {
          return endResponse(
            failure(415, "BAD_REQUEST", "a POST must have Content-Type: application/json (CSRF protection)"),
          );
        }
        const length = request.headers.get("content-length");
        if (length !== null && !(Number(length) <= limits.maxBodyBytes)) {
          return endResponse(tooLarge(limits.maxBodyBytes));
        }
      }
      if (!authenticate) return;
      // GraphiQL's page is public; the requests it makes are not.
      if (options.graphiql && request.method === "GET" && isPageRequest(request, url)) return;
      const principal = await authenticate({ request });
      if (!principal) {
        return endResponse(
          failure(
            401,
            "UNAUTHENTICATED",
            new UnauthenticatedError().message,
            {},
            { "www-authenticate": "Bearer" },
          ),
        );
      }
      principals.set(request, principal);
    },
    // A body without a Content-Length (chunked) is read up to the limit, and no further.
    // One with a Content-Length was checked in onRequest, and is parsed as it is.
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (request.method !== "POST" || !requestParser || request.headers.has("content-length")) return;
      setRequestParser(async (incoming) => {
        const body = await readAtMost(incoming, limits.maxBodyBytes);
        if (body === null) return tooLarge(limits.maxBodyBytes);
        return requestParser(new Request(incoming.url, { method: "POST", headers: incoming.headers, body }));
      });
    },
  };
}

function tooLarge(max: number): Response {
  // The rest of the body is not read: the connection cannot carry another request.
  return failure(
    413,
    "LIMIT_EXCEEDED",
    `the body is over ${max} bytes (limits.maxBodyBytes)`,
    { limit: "maxBodyBytes" },
    { connection: "close" },
  );
}

/** A browser asking for the GraphiQL page (not a GraphQL operation over GET or SSE). */
function isPageRequest(request: Request, url: URL): boolean {
  return (request.headers.get("accept") ?? "").includes("text/html") && !url.searchParams.has("query");
}

/** A GraphQL-shaped error response. */
function failure(
  status: number,
  code: string,
  message: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}
