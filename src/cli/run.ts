import type { Logger } from "../log/logger.js";
import { createServer, type JobstarServer } from "../server/server.js";
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
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting without waiting");
      process.exit(1);
    }
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
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
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
      server = await createServer(spec, { ...models.server, ...options.api });
      log.info(
        { url: server.url, worker: options.worker },
        `API server listening; GraphiQL at ${server.url}${options.worker ? "" : " (API only)"}`,
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
