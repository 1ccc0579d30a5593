// queueFromEnv: JOBSTAR_QUEUE picks the factory, its broker from AMQP_URL or
// CELERY_BROKER_URL; anything else is a configuration error naming the choices.
import { expect, it } from "vitest";
import { ConfigurationError } from "../../src/index.js";
import {
  CeleryMessageQueueFactory,
  GraphileWorkerMessageQueueFactory,
  queueFromEnv,
  RabbitMQMessageQueueFactory,
  SimpleMessageQueueFactory,
} from "../../src/message-queue.js";

it("picks the factory JOBSTAR_QUEUE names, else the fallback", () => {
  expect(queueFromEnv("simple", {}, {})).toBeInstanceOf(SimpleMessageQueueFactory);
  expect(queueFromEnv("graphile", {}, {})).toBeInstanceOf(GraphileWorkerMessageQueueFactory);
  expect(queueFromEnv("simple", {}, { JOBSTAR_QUEUE: "graphile" })).toBeInstanceOf(
    GraphileWorkerMessageQueueFactory,
  );
  expect(queueFromEnv("simple", {}, { JOBSTAR_QUEUE: "rabbitmq", AMQP_URL: "amqp://h" })).toBeInstanceOf(
    RabbitMQMessageQueueFactory,
  );
  const celery = queueFromEnv("graphile", { maxRetries: 7 }, { JOBSTAR_QUEUE: "celery" });
  expect(celery).toBeInstanceOf(CeleryMessageQueueFactory);
  expect(celery.settings.maxRetries).toBe(7);
});

it("refuses a queue it does not know, naming the choices", () => {
  expect(() => queueFromEnv("graphile", {}, { JOBSTAR_QUEUE: "kafka" })).toThrow(ConfigurationError);
  expect(() => queueFromEnv("graphile", {}, { JOBSTAR_QUEUE: "kafka" })).toThrow(
    /use graphile, simple, rabbitmq or celery/,
  );
});

it("refuses broker settings that cannot work", () => {
  expect(() => new RabbitMQMessageQueueFactory({ prefetch: 0 })).toThrow(RangeError);
  expect(() => new CeleryMessageQueueFactory({ visibilityTimeout: -1 })).toThrow(RangeError);
});
