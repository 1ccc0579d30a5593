/**
 * Queue backends: `import { SimpleMessageQueueFactory } from "jobstar/message-queue"`.
 * @packageDocumentation
 */
export { type GraphileQueueOptions, GraphileWorkerMessageQueueFactory } from "./queue/graphile.js";
export type { MessageQueueFactory, QueueFactoryOptions, RunSettings } from "./queue/message-queue.js";
export { SimpleMessageQueueFactory } from "./queue/simple.js";
