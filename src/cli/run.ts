import type { Logger } from "../log/logger.js";
import { bearerTokens } from "../server/auth.js";
import { createServer, type JobstarServer, type ServerOptions } from "../server/server.js";
import type { Spec } from "../spec.js";
import type { ModelsModule } from "./models.js";

/** Options of {@link runService}. */
export interface ServiceOptions {
  /** Serve the API on this port and host; absent: no API (a worker). */
  api?: { port: number; host: string };
  /** Consume the models' jobs. */
  worker: boolean;
  concurrency: number;
  graceSeconds: number;
}

/**
 * Runs the API and/or consumers until SIGINT or SIGTERM, then shuts down in order: the
 * HTTP server stops taking requests, consumers get `graceSeconds` to finish their jobs,
 * the queue and database close. Resolves with the exit code.
 */
export async function runService(
  spec: Spec,
  models: ModelsModule,
  options: ServiceOptions,
  log: Logger,
): Promise<number> {
  let server: JobstarServer | undefined;
  let stopping: Promise<number> | null = null;
  let firstSignal = 0;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // Ctrl-C under npm arrives twice at once (from the terminal and from npm): only a
      // signal sent later, by someone insisting, cuts the shutdown short.
      if (Date.now() - firstSignal < 2000) return stopping;
      log.warn({ signal }, "second signal: exiting without waiting");
      process.exit(1);
    }
    firstSignal = Date.now();
    log.info({ signal, graceSeconds: options.graceSeconds }, "shutting down");
    stopping = (async () => {
      if (server) {
        await server.close();
        log.info({}, "API server closed");
      }
      await spec.close({ graceSeconds: options.graceSeconds });
      return 0;
    })();
    return stopping;
  };
  const stopped = new Promise<number>((resolve, reject) => {
    const onSignal = (signal: NodeJS.Signals) => void stop(signal).then(resolve, reject);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });

  try {
    await spec.start();
    if (options.worker) {
      const consumed = spec.registeredModels().filter((model) => model.handler);
      for (const model of consumed) {
        await spec
          .getResourceManager(model.schema.name)
          .startConsume({ block: false, concurrency: options.concurrency });
      }
      log.info(
        { models: consumed.map((model) => model.schema.name), concurrency: options.concurrency },
        consumed.length > 0 ? "worker consuming" : "worker has no model with a jobHandler to consume",
      );
    }
    if (options.api) {
      server = await createServer(spec, serverOptions(models, options.api, log));
      const ui = server.url.replace(/\/graphql$/, "/ui");
      log.info(
        { url: server.url, ui, worker: options.worker },
        `API server listening; GraphiQL at ${server.url}, operator UI at ${ui}${options.worker ? "" : " (API only)"}`,
      );
    }
  } catch (error) {
    // A failed start-up (a port in use, …) still stops what did start, such as an embedded PostgreSQL.
    await server?.close().catch(() => {});
    await spec.close({ graceSeconds: 0 }).catch(() => {});
    throw error;
  }
  return stopped;
}

/**
 * The server's options: the models module's, with authentication from `JOBSTAR_TOKENS`
 * (`alice:secret-a:admin,bob:secret-b`) unless the module brings its own, and browser
 * origins from `ALLOWED_ORIGINS`. Without authentication the API is open to whoever reaches
 * it, so it listens on 127.0.0.1 only, and says so once.
 */
function serverOptions(
  models: ModelsModule,
  api: { port: number; host: string },
  log: Logger,
): ServerOptions {
  const tokens = process.env.JOBSTAR_TOKENS;
  const authenticate = models.server?.authenticate ?? (tokens ? bearerTokens(tokens) : undefined);
  const origins = process.env.ALLOWED_ORIGINS;
  if (!authenticate) {
    log.warn(
      { host: "127.0.0.1" },
      "no JOBSTAR_TOKENS, so no authentication: anyone on this machine may do anything (listening on 127.0.0.1 only)",
    );
  }
  return {
    ...models.server,
    ...api,
    host: authenticate ? api.host : "127.0.0.1",
    ...(authenticate ? { authenticate } : {}),
    ...(origins ? { allowedOrigins: origins.split(",") } : {}),
  };
}
