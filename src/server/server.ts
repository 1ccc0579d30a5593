import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecutionArgs } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { createGraphQLHandler, type GraphQLHandler, type GraphQLHandlerOptions } from "../graphql/yoga.js";
import type { Spec } from "../spec.js";
import { createUiHandler } from "./ui.js";

/** Options of {@link createServer}. */
export interface ServerOptions extends GraphQLHandlerOptions {
  /** Port to listen on; 0 picks a free one. Default: 4000. */
  port?: number;
  /** Interface to listen on. Default: `127.0.0.1`. */
  host?: string;
  /** How long `close()` lets in-flight HTTP requests finish before cutting them, in ms. Default: 5000. */
  shutdownTimeout?: number;
  /** Serve the operator UI at `/ui` (and redirect `/` there). Default: true. */
  ui?: boolean;
}

/** A listening jobstar API server. */
export interface JobstarServer {
  /** `http://host:port/graphql`; the same path serves graphql-ws (`ws://`) and SSE. */
  readonly url: string;
  readonly port: number;
  readonly yoga: GraphQLHandler;
  readonly http: HttpServer;
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
 * same path, GraphiQL for browsers, the operator UI at `/ui`, `/health` and `/ready`.
 */
export async function createServer(spec: Spec, options: ServerOptions = {}): Promise<JobstarServer> {
  const yoga = createGraphQLHandler(spec, options);
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

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 4000, options.host ?? "127.0.0.1", () => {
      http.off("error", reject);
      resolve();
    });
  });
  const { address, port } = http.address() as AddressInfo;
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

  return { url: `http://${host}:${port}${endpoint}`, port, yoga, http, close };
}
