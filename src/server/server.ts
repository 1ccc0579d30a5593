import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { type ExecutionArgs, GraphQLError } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { LimitExceededError, PortInUseError } from "../errors.js";
import { toGraphQLError } from "../graphql/errors.js";
import { checkVariableDepth, type RequestLimits } from "../graphql/limits.js";
import {
  createGraphQLHandler,
  failClosed,
  type GraphQLHandler,
  type GraphQLHandlerOptions,
  handlerLimits,
} from "../graphql/yoga.js";
import { createMetrics, type JobstarMetrics, type MetricsOptions } from "../metrics/index.js";
import type { Spec } from "../spec.js";
import { createUiHandler } from "./ui.js";

/** {@link RequestLimits} and the limits of WebSocket connections. */
export interface ServerLimits extends RequestLimits {
  /** Bytes of one WebSocket message; a larger one closes the socket (1009). Default: 1 MiB. */
  maxWebSocketPayload?: number;
  /** Live subscriptions on one WebSocket. Default: 100. */
  maxSubscriptionsPerSocket?: number;
}

/** Options of {@link createServer}. */
export interface ServerOptions extends GraphQLHandlerOptions {
  /** Limits on requests and connections; each has a safe default. */
  limits?: ServerLimits;
  /** Port to listen on; 0 picks a free one. Default: 4000. */
  port?: number;
  /** Interface to listen on. Default: `127.0.0.1`. */
  host?: string;
  /** How long `close()` lets in-flight HTTP requests finish before cutting them, in ms. Default: 5000. */
  shutdownTimeout?: number;
  /** Serve the operator UI at `/ui` (and redirect `/` there). Default: true. */
  ui?: boolean;
  /** Prometheus metrics on `/metrics` (see the README); `false` turns them off. Default: on. */
  metrics?: boolean | MetricsOptions;
}

/** A listening jobstar API server. */
export interface JobstarServer {
  /** `http://host:port/graphql`; the same path serves graphql-ws (`ws://`) and SSE. */
  readonly url: string;
  readonly port: number;
  readonly yoga: GraphQLHandler;
  readonly http: HttpServer;
  /** The Prometheus registry behind `/metrics`, or null when metrics are off. */
  readonly metrics: JobstarMetrics | null;
  /**
   * Stops accepting connections, closes WebSockets with 1001 (going away), lets
   * in-flight requests finish (up to `shutdownTimeout`), then resolves. The spec stays open.
   */
  close(): Promise<void>;
}

/** Accept headers of responses that stream a subscription. */
const STREAMING = /text\/event-stream|multipart\/mixed/;

interface RootValue {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/** WebSocket close code of a connection without valid credentials. */
const UNAUTHORIZED = 4401;

/**
 * Serves a spec's GraphQL API: HTTP and SSE through graphql-yoga, graphql-ws on the
 * same path, GraphiQL for browsers, the operator UI at `/ui`, `/health` and `/ready`. With
 * `authenticate`, a WebSocket must authenticate in its `connectionParams` (else it is closed
 * with 4401); a WebSocket from a web page is accepted only from the same origin or `allowedOrigins`.
 */
export async function createServer(spec: Spec, options: ServerOptions = {}): Promise<JobstarServer> {
  const {
    maxWebSocketPayload = 1024 * 1024,
    maxSubscriptionsPerSocket = 100,
    ...requestLimits
  } = options.limits ?? {};
  for (const [name, value] of Object.entries({ maxWebSocketPayload, maxSubscriptionsPerSocket })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`limits.${name} must be an integer >= 1`);
  }
  const metrics =
    options.metrics === false ? null : createMetrics(spec, options.metrics === true ? {} : options.metrics);
  const yoga = createGraphQLHandler(spec, {
    ...options,
    limits: requestLimits,
    plugins: [...(options.plugins ?? []), ...(metrics?.plugins ?? [])],
  });
  const limits = handlerLimits(yoga);
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const endpoint = yoga.graphqlEndpoint;
  const ui = options.ui === false ? null : createUiHandler();
  const http = createHttpServer((request, response) => {
    if (!ui?.(request, response)) void yoga(request, response);
  });
  // Responses in flight, so that close() can end SSE streams (which would never end by
  // themselves) and close each keep-alive connection as soon as its request is done.
  const inFlight = new Set<ServerResponse>();
  let closing: Promise<void> | null = null;
  http.on("request", (_request, response: ServerResponse) => {
    inFlight.add(response);
    response.once("close", () => {
      inFlight.delete(response);
      if (closing) setImmediate(() => http.closeIdleConnections());
    });
  });
  const port = options.port ?? 4000;
  const hostName = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      void yoga.dispose();
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port, hostName) : error);
    };
    http.once("error", failed);
    http.listen(port, hostName, () => {
      http.off("error", failed);
      resolve();
    });
  });
  // graphql-ws joins once the port is ours: attached earlier, ws would re-emit a failed
  // listen and graphql-ws report it a second time, as an internal error.
  const wss = new WebSocketServer({
    server: http,
    path: endpoint,
    maxPayload: maxWebSocketPayload,
    // A browser always sends Origin: a page of another site may not open a socket with
    // the user's credentials (cross-site WebSocket hijacking). Non-browser clients send none.
    verifyClient: (
      { origin, req }: { origin: string | undefined; req: IncomingMessage },
      done: (ok: boolean, code?: number, message?: string) => void,
    ) => {
      const ok = !origin || allowedOrigins.has(origin) || sameOrigin(origin, req.headers.host);
      done(ok, 403, "Forbidden origin");
    },
  });
  const authenticate = options.authenticate && failClosed(options.authenticate);

  useServer<Record<string, unknown>>(
    {
      onConnect: async (ctx) => {
        if (!authenticate) return true;
        const principal = await authenticate({
          connectionParams: ctx.connectionParams ?? {},
          upgradeRequest: ctx.extra.request,
        });
        if (principal) return true;
        ctx.extra.socket.close(UNAUTHORIZED, "Unauthorized");
        return false;
      },
      execute: (args) => (args.rootValue as RootValue).execute(args) as never,
      subscribe: (args) => (args.rootValue as RootValue).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const live = Object.keys(ctx.subscriptions).length; // this one included
        try {
          if (live > maxSubscriptionsPerSocket) {
            throw new LimitExceededError(
              "maxSubscriptionsPerSocket",
              `at most ${maxSubscriptionsPerSocket} live subscriptions per WebSocket (limits.maxSubscriptionsPerSocket)`,
            );
          }
          checkVariableDepth(payload.variables, limits.maxVariableDepth);
        } catch (error) {
          return [toGraphQLError(error)];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          connectionParams: ctx.connectionParams ?? {},
          upgradeRequest: ctx.extra.request,
          params: payload,
        });
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : toGraphQLError(error)];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const rootValue: RootValue = { execute, subscribe };
        let contextValue: Awaited<ReturnType<typeof contextFactory>>;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          return [toGraphQLError(error)];
        }
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
          rootValue,
        };
      },
    },
    wss,
  );

  const { address, port: bound } = http.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;

  const close = () => {
    closing ??= (async () => {
      for (const socket of wss.clients) socket.close(1001, "server shutting down");
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      // A subscription over SSE (or multipart) is the HTTP twin of a WebSocket: cut it
      // now (the client sees the connection go away, as with 1001) rather than wait for
      // the timeout. A query or mutation asked for as a stream sends its headers only
      // with its result, so a stream that has started is a subscription's.
      for (const response of inFlight) {
        if (response.headersSent && STREAMING.test(response.req.headers.accept ?? "")) response.destroy();
      }
      const timer = setTimeout(() => {
        http.closeAllConnections();
        for (const socket of wss.clients) socket.terminate();
      }, options.shutdownTimeout ?? 5000);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closed;
      clearTimeout(timer);
      await yoga.dispose();
    })();
    return closing;
  };

  return { url: `http://${host}:${bound}${endpoint}`, port: bound, yoga, http, metrics, close };
}

/** Whether a page of `origin` is served by this server (its host, as the browser addressed it). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
