import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecutionArgs } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { PortInUseError } from "../errors.js";
import { createGraphQLHandler, type GraphQLHandler, type GraphQLHandlerOptions } from "../graphql/yoga.js";
import { createMetrics, type JobstarMetrics, type MetricsOptions } from "../metrics/index.js";
import type { Spec } from "../spec.js";

/** Options of {@link createServer}. */
export interface ServerOptions extends GraphQLHandlerOptions {
  /** Port to listen on; 0 picks a free one. Default: 4000. */
  port?: number;
  /** Interface to listen on. Default: `127.0.0.1`. */
  host?: string;
  /** How long `close()` lets in-flight HTTP requests finish before cutting them, in ms. Default: 5000. */
  shutdownTimeout?: number;
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
  /** The server's metrics (its prom-client registry), or null when turned off. */
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

/**
 * Serves a spec's GraphQL API: HTTP and SSE through graphql-yoga, graphql-ws on the
 * same path, GraphiQL for browsers, `/health` and `/ready`.
 */
export async function createServer(spec: Spec, options: ServerOptions = {}): Promise<JobstarServer> {
  const metrics =
    options.metrics === false ? null : createMetrics(spec, options.metrics === true ? {} : options.metrics);
  const yoga = createGraphQLHandler(spec, {
    ...options,
    plugins: [...(options.plugins ?? []), ...(metrics?.plugins ?? [])],
  });
  const endpoint = yoga.graphqlEndpoint;
  const http = createHttpServer(yoga);
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
  const wss = new WebSocketServer({ server: http, path: endpoint });

  useServer<Record<string, unknown>>(
    {
      execute: (args) => (args.rootValue as RootValue).execute(args) as never,
      subscribe: (args) => (args.rootValue as RootValue).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          connectionParams: ctx.connectionParams ?? {},
          params: payload,
        });
        const document = parse(payload.query);
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const rootValue: RootValue = { execute, subscribe };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
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
