import { randomBytes } from "node:crypto";
import os from "node:os";
import { ConfigurationError, ModelAlreadyRegisteredError, ModelNotRegisteredError } from "./errors.js";
import { EventBus, type EventBusOptions } from "./events/bus.js";
import { createLogger, type Logger, redactUrl } from "./log/logger.js";
import type { JobModel } from "./model/job.js";
import { type ModelOptions, type RegisteredModel, registerModel } from "./model/registration.js";
import type { Schema } from "./model/schema.js";
import { GraphileWorkerMessageQueueFactory } from "./queue/graphile.js";
import { Liveness } from "./queue/liveness.js";
import type { MessageQueueFactory } from "./queue/message-queue.js";
import { Sweeper } from "./queue/sweeper.js";
import { runAs } from "./resource/actor.js";
import { type ListJobsOptions, listJobs } from "./resource/all-jobs.js";
import { ResourceManager, type StopOptions } from "./resource/manager.js";
import type { Runtime } from "./resource/runtime.js";
import type { Page, Resource } from "./resource/types.js";
import { checkRetention, type PruneResult, Pruner, type RetentionOptions } from "./retention/pruner.js";
import { openDatabase } from "./store/database.js";
import type { EmbeddedOptions } from "./store/embedded.js";
import { type ExportSink, exportJobs } from "./transfer/export.js";
import { type ImportResult, importJobs } from "./transfer/import.js";

/** Options of {@link Spec.exportJobs}. */
export interface ExportOptions {
  /** The models to export (classes or names). Default: every registered model. */
  models?: (JobModel | string)[];
}

/** Options of {@link Spec.configure}. */
export interface SpecOptions {
  /** PostgreSQL URL. Default: `DATABASE_URL`, else an embedded PostgreSQL in `./.jobstar/`. */
  databaseUrl?: string;
  /** Options of the embedded PostgreSQL (used only without a URL). */
  embedded?: EmbeddedOptions;
  /** The queue backend. Default: `new GraphileWorkerMessageQueueFactory()`. */
  messageQueueFactory?: MessageQueueFactory;
  /** Connections in jobstar's own pool. Default: 10. */
  maxConnections?: number;
  /** Options of the process's LISTEN connection (how often it is checked). */
  events?: EventBusOptions;
  /**
   * Where jobstar logs: start-up and shutdown steps, and whatever the run loop reports through
   * `Runtime.logger`. Default: a pino logger to stdout at `LOG_LEVEL` (else `info`), JSON unless
   * stdout is a terminal.
   */
  logger?: Logger;
  /**
   * How long finished jobs are kept: `{ finishedAfterDays: 30 }` deletes completed, failed
   * and cancelled jobs unchanged for 30 days, with their revisions and logs, in batches of
   * `batchSize` (500) every `intervalSeconds` (300) in every process. Default: off (kept forever).
   */
  retention?: RetentionOptions;
}

/**
 * The registry of job models and the owner of the database, queue and event
 * connections, which start on first use and stop on {@link Spec.close}.
 */
export class Spec {
  private options: SpecOptions = {};
  private readonly models = new Map<string, RegisteredModel>();
  private readonly managers = new Map<string, ResourceManager>();
  private started: Promise<Runtime> | null = null;
  private defaultLogger: Logger | null = null;
  private pruner: Pruner | null = null;

  /** Sets options; only before the first use. */
  configure(options: SpecOptions): this {
    if (this.started) throw new ConfigurationError("configure() must come before the spec is used");
    if (options.retention) checkRetention(options.retention);
    this.options = { ...this.options, ...options };
    return this;
  }

  /** The configured logger, else the default one (made on first use). */
  get logger(): Logger {
    if (this.options.logger) return this.options.logger;
    this.defaultLogger ??= createLogger();
    return this.defaultLogger;
  }

  /** Registers a job model with its handler and options. */
  addModel<M extends JobModel>(schema: Schema<M>, options: ModelOptions<M> = {}): this {
    const clash = [...this.models.values()].find(
      (m) => m.schema.name === schema.name || m.schema.key === schema.key,
    );
    if (clash) throw new ModelAlreadyRegisteredError(schema.name);
    this.models.set(schema.name, registerModel(schema, options));
    return this;
  }

  /** The registered models, in registration order. */
  registeredModels(): RegisteredModel[] {
    return [...this.models.values()];
  }

  /** The resource manager of a registered model (by class or name). */
  getResourceManager<M extends JobModel>(model: M | string): ResourceManager<M> {
    const name = typeof model === "string" ? model : model.name;
    const registered = this.models.get(name);
    if (!registered || (typeof model !== "string" && registered.schema.model !== model)) {
      throw new ModelNotRegisteredError(name);
    }
    let manager = this.managers.get(name);
    if (!manager) {
      manager = new ResourceManager(registered, () => this.start());
      this.managers.set(name, manager);
    }
    return manager as unknown as ResourceManager<M>;
  }

  /** Runs `fn` with `user` recorded as the actor of the writes it makes. */
  using<T>(user: string, fn: () => T): T {
    return runAs(user, fn);
  }

  /**
   * A page of jobs of every registered model (or `options.models`), with the filters, order
   * and paging of {@link ResourceManager.list}: "all failed jobs" is
   * `spec.listJobs({ status: ["failed"] })`. With `principal`, each model's policy decides
   * what is listed, as in GraphQL's `jobs`.
   */
  async listJobs(options: ListJobsOptions = {}): Promise<Page<Resource>> {
    const { database } = await this.start();
    return listJobs(database.db, this.registeredModels(), options);
  }

  /**
   * Deletes finished jobs past `retention.finishedAfterDays` now (as the timer would), with
   * their revisions and logs; nothing when retention is off. Never rejects: a failure is logged.
   */
  async pruneFinishedJobs(): Promise<PruneResult> {
    await this.start();
    return this.pruner?.prune() ?? { deleted: 0, batches: 0 };
  }

  /**
   * Writes every job of `options.models` (default: all registered) to `out` as NDJSON: one
   * line per job with its resource, every revision and every log line, from one consistent
   * snapshot, streamed with backpressure. Resolves with the number of jobs written.
   */
  async exportJobs(out: ExportSink, options: ExportOptions = {}): Promise<number> {
    const keys = (options.models ?? this.registeredModels().map((m) => m.schema.name)).map((model) => {
      const name = typeof model === "string" ? model : model.name;
      const registered = this.models.get(name) ?? this.registeredModels().find((m) => m.schema.key === name);
      if (!registered) throw new ModelNotRegisteredError(name);
      return registered.schema.key;
    });
    const { database } = await this.start();
    return exportJobs(database, keys, out);
  }

  /**
   * Migrates the stored jobs of `models` (default: every registered model) to their
   * schema versions (see `ResourceManager.migrate`). Resolves with the count per model name.
   */
  async migrateJobs(options: { models?: (JobModel | string)[] } = {}): Promise<Record<string, number>> {
    const names = (options.models ?? this.registeredModels().map((m) => m.schema.name)).map((model) => {
      const name = typeof model === "string" ? model : model.name;
      const registered = this.models.get(name) ?? this.registeredModels().find((m) => m.schema.key === name);
      if (!registered) throw new ModelNotRegisteredError(name);
      return registered.schema.name;
    });
    const counts: Record<string, number> = {};
    for (const name of names) counts[name] = await this.getResourceManager(name).migrate();
    return counts;
  }

  /**
   * Loads a dump made by {@link Spec.exportJobs} from `input` (a readable stream, or any
   * async iterable of text or bytes). Idempotent: jobs already in the database are left as
   * they are. Finished jobs are never run again; PENDING ones are enqueued. Every job's
   * model must be registered.
   */
  async importJobs(input: AsyncIterable<string | Uint8Array>): Promise<ImportResult> {
    const { database, queue } = await this.start();
    const keys = new Set(this.registeredModels().map((m) => m.schema.key));
    return importJobs(database, queue, keys, input);
  }

  /** Opens the database (applying migrations), the queue and the event listener; idempotent. */
  start(): Promise<Runtime> {
    if (!this.started) {
      this.started = this.open();
      this.started.catch(() => {
        this.started = null;
      });
    }
    return this.started;
  }

  /**
   * Stops consumers (running handlers get `graceSeconds`, default 30, before they are
   * aborted and their jobs re-queued), then closes the queue, the event listener and the database.
   */
  async close(options: StopOptions = {}): Promise<void> {
    const started = this.started;
    if (!started) return;
    const log = this.logger;
    log.info({ graceSeconds: options.graceSeconds ?? 30 }, "stopping consumers");
    await Promise.all([...this.managers.values()].map((manager) => manager.stopConsume(options)));
    this.managers.clear();
    this.started = null;
    const runtime = await started.catch(() => null);
    if (!runtime) return;
    await this.pruner?.stop();
    this.pruner = null;
    await runtime.sweeper.stop();
    await runtime.liveness.stop();
    log.info({}, "closing the queue");
    await runtime.queue.close();
    await runtime.events.close();
    log.info({}, "closing the database");
    await runtime.database.close();
    log.info({}, "closed");
  }

  private async open(): Promise<Runtime> {
    const log = this.logger;
    const factory = this.options.messageQueueFactory ?? new GraphileWorkerMessageQueueFactory();
    const configuredUrl = this.options.databaseUrl ?? process.env.DATABASE_URL;
    log.info(
      { database: configuredUrl ? redactUrl(configuredUrl) : "embedded" },
      configuredUrl ? "connecting to the database" : "starting the embedded PostgreSQL",
    );
    const database = await openDatabase({
      ...(this.options.databaseUrl ? { url: this.options.databaseUrl } : {}),
      ...(this.options.embedded ? { embedded: this.options.embedded } : {}),
      ...(this.options.maxConnections ? { maxConnections: this.options.maxConnections } : {}),
    });
    const events = new EventBus(database.url, this.options.events);
    try {
      await events.start();
    } catch (error) {
      await database.close();
      throw error;
    }
    log.info({ database: redactUrl(database.url) }, "database ready, migrations applied");
    const settings = factory.settings;
    const queue = factory.create(database, log);
    const liveness = new Liveness(database.sql, settings, queue, log.child({ component: "liveness" }));
    const sweeper = new Sweeper({
      database,
      queue,
      settings,
      models: () => this.registeredModels(),
      logger: log.child({ component: "recovery" }),
    });
    // Every process beats and sweeps, consumers or not: a dead worker's jobs are
    // recovered by whichever jobstar process is alive (an API server, say).
    liveness.start();
    sweeper.start();
    void sweeper.sweep();
    this.pruner = new Pruner(
      database,
      () => this.registeredModels().map((m) => m.schema.key),
      this.options.retention ?? {},
      log.child({ component: "retention" }),
    );
    this.pruner.start();
    const workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    log.info({ queue: factory.constructor.name, models: this.models.size, workerId }, "queue ready");
    return { database, events, queue, settings, liveness, sweeper, workerId, logger: log };
  }
}

/** The default registry, as in SpecStar: `import { spec } from "jobstar"`. */
export const spec = new Spec();
