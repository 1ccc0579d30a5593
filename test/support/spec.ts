import type { EventBusOptions } from "../../src/events/bus.js";
import { Schema, Spec } from "../../src/index.js";
import {
  CeleryMessageQueueFactory,
  type GraphileQueueOptions,
  GraphileWorkerMessageQueueFactory,
  RabbitMQMessageQueueFactory,
  SimpleMessageQueueFactory,
} from "../../src/message-queue.js";
import type { MessageQueueFactory, QueueFactoryOptions } from "../../src/queue/message-queue.js";
import { ScriptJob, script, TrainingJob, training } from "../fixtures/models.js";
import { AMQP_URL, missingBroker, REDIS_URL, RUN_PREFIX } from "./brokers.js";

export type Backend = "simple" | "graphile" | "rabbitmq" | "celery-amqp" | "celery-redis";

/** Every backend: the shared suites run on each. */
export const BACKENDS: Backend[] = ["simple", "graphile", "rabbitmq", "celery-amqp", "celery-redis"];

/** The backends that several processes can share (all but the in-process one). */
export const DURABLE_BACKENDS: Backend[] = BACKENDS.filter((backend) => backend !== "simple");

/** The broker a backend needs. */
export function brokerOf(backend: Backend): "amqp" | "redis" | null {
  if (backend === "rabbitmq" || backend === "celery-amqp") return "amqp";
  return backend === "celery-redis" ? "redis" : null;
}

/** Why `backend` cannot be tested here, or null. */
export function skipReason(backend: Backend): string | null {
  const reason = missingBroker(brokerOf(backend));
  if (reason) console.warn(`${backend}: ${reason}`);
  return reason;
}

/** The queue-name prefix of `backend` in this test file: unique to the file, so parallel files never share a queue. */
export function queuePrefix(backend: Backend): string {
  return `${RUN_PREFIX}${backend}.`;
}

/**
 * Run settings that keep tests fast: no retry backoff, quick heartbeats. Stale after 5 s:
 * on a loaded 2-core machine a live worker's heartbeat can be late by seconds, and a
 * recovery a test did not ask for would change the history it checks.
 */
export const FAST: QueueFactoryOptions = { retryDelay: () => 0, heartbeatInterval: 0.2, staleAfter: 5 };

/** Options of the broker queues in tests. */
export interface BrokerTestOptions {
  /** The broker URL (e.g. through a test's proxy). Default: the shared broker. */
  url?: string;
  /** Redis: a consumer silent this long (ms) is taken for dead. Default: 3000. */
  visibilityTimeout?: number;
}

/** A queue factory of `backend` with test settings. */
export function queueFactory(
  backend: Backend,
  options: QueueFactoryOptions = {},
  graphile: GraphileQueueOptions = {},
  broker: BrokerTestOptions = {},
): MessageQueueFactory {
  const settings = { ...FAST, ...options };
  const queuePrefixOption = { queuePrefix: queuePrefix(backend), pollInterval: 500 };
  switch (backend) {
    case "simple":
      return new SimpleMessageQueueFactory(settings);
    case "graphile":
      return new GraphileWorkerMessageQueueFactory({ ...settings, pollInterval: 100, ...graphile });
    case "rabbitmq":
      return new RabbitMQMessageQueueFactory({
        ...settings,
        ...queuePrefixOption,
        url: broker.url ?? AMQP_URL,
      });
    case "celery-amqp":
      return new CeleryMessageQueueFactory({
        ...settings,
        ...queuePrefixOption,
        brokerUrl: broker.url ?? AMQP_URL,
      });
    case "celery-redis":
      return new CeleryMessageQueueFactory({
        ...settings,
        ...queuePrefixOption,
        brokerUrl: broker.url ?? REDIS_URL,
        visibilityTimeout: broker.visibilityTimeout ?? 3000,
      });
  }
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
