import type { EventBusOptions } from "../../src/events/bus.js";
import { Schema, Spec } from "../../src/index.js";
import {
  type GraphileQueueOptions,
  GraphileWorkerMessageQueueFactory,
  SimpleMessageQueueFactory,
} from "../../src/message-queue.js";
import type { QueueFactoryOptions } from "../../src/queue/message-queue.js";
import { ScriptJob, script, TrainingJob, training } from "../fixtures/models.js";

export type Backend = "simple" | "graphile";

/**
 * Run settings that keep tests fast: no retry backoff, quick heartbeats. Stale after 5 s:
 * on a loaded 2-core machine a live worker's heartbeat can be late by seconds, and a
 * recovery a test did not ask for would change the history it checks.
 */
export const FAST: QueueFactoryOptions = { retryDelay: () => 0, heartbeatInterval: 0.2, staleAfter: 5 };

/** A queue factory of `backend` with test settings. */
export function queueFactory(
  backend: Backend,
  options: QueueFactoryOptions = {},
  graphile: GraphileQueueOptions = {},
) {
  return backend === "simple"
    ? new SimpleMessageQueueFactory({ ...FAST, ...options })
    : new GraphileWorkerMessageQueueFactory({ ...FAST, pollInterval: 100, ...graphile, ...options });
}

/** A spec on `url` with the fixture models registered. */
export function testSpec(
  url: string,
  backend: Backend,
  options: QueueFactoryOptions = {},
  events: EventBusOptions = {},
): Spec {
  const spec = new Spec().configure({
    databaseUrl: url,
    messageQueueFactory: queueFactory(backend, options),
    events,
  });
  spec.addModel(new Schema(TrainingJob, "v1"), { jobHandler: training });
  spec.addModel(new Schema(ScriptJob, "v1"), { jobHandler: script, timeoutSeconds: 1 });
  return spec;
}
