/**
 * Queue backends: `import { SimpleMessageQueueFactory } from "jobstar/message-queue"`.
 * @packageDocumentation
 */
export { CeleryMessageQueueFactory, type CeleryQueueOptions } from "./queue/celery.js";
export { type QueueKind, queueFromEnv } from "./queue/from-env.js";
export { type GraphileQueueOptions, GraphileWorkerMessageQueueFactory } from "./queue/graphile.js";
export type { MessageQueueFactory, QueueFactoryOptions, RunSettings } from "./queue/message-queue.js";
export type { RelayOptions } from "./queue/outbox/relay.js";
export { RabbitMQMessageQueueFactory, type RabbitMQQueueOptions } from "./queue/rabbitmq.js";
export { SimpleMessageQueueFactory } from "./queue/simple.js";
