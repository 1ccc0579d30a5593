import { ConfigurationError } from "../errors.js";
import type { RegisteredModel } from "../model/registration.js";
import { JobRunner } from "../queue/job-runner.js";
import type { Consumer } from "../queue/message-queue.js";
import type { Runtime } from "./runtime.js";

/** How to stop consuming. */
export interface StopOptions {
  /** How long running handlers may take to finish before they are aborted, in seconds. Default: 30. */
  graceSeconds?: number;
}

/** How to consume. */
export interface ConsumeOptions {
  /** Wait until `stopConsume()` (true), or return once consuming has started (false). Default: true. */
  block?: boolean;
  /** Jobs run at once by this consumer. Default: 1. */
  concurrency?: number;
}

/** One model's consumer in this process: at most one at a time, started and stopped. */
export class Consuming {
  private current: {
    consumer: Consumer;
    runner: JobRunner;
    stopped: () => void;
  } | null = null;

  constructor(
    private readonly registered: RegisteredModel,
    private readonly runtime: () => Promise<Runtime>,
  ) {}

  /** Starts running the model's jobs; with `block`, resolves once {@link stop} has stopped them. */
  async start(options: ConsumeOptions = {}): Promise<void> {
    const { schema } = this.registered;
    if (!this.registered.handler) {
      throw new ConfigurationError(
        `${schema.name} has no jobHandler: pass one to spec.addModel to consume it`,
      );
    }
    if (this.current) throw new ConfigurationError(`${schema.name} is already being consumed`);
    const runtime = await this.runtime();
    const runner = new JobRunner({ ...runtime, model: this.registered });
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError("concurrency must be an integer >= 1");
    const consumer = await runtime.queue.consume({
      models: [schema.key],
      concurrency,
      process: (message) => runner.process(message),
      readAhead: (messages) => runner.readAhead(messages),
    });
    let stopped = () => {};
    const done = new Promise<void>((resolve) => {
      stopped = resolve;
    });
    this.current = { consumer, runner, stopped };
    if (options.block ?? true) await done;
  }

  /** Stops taking jobs and waits for those in flight, aborting handlers after `graceSeconds`. */
  async stop(options: StopOptions = {}): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = null;
    const grace = setTimeout(() => current.runner.abortRunning(), (options.graceSeconds ?? 30) * 1000);
    try {
      await current.consumer.stop();
      await current.runner.drain();
    } finally {
      clearTimeout(grace);
    }
    current.stopped();
  }
}
