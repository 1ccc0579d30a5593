import type { EventBus } from "../events/bus.js";
import type { Logger } from "../log/logger.js";
import type { MessageQueue, RunSettings } from "../queue/message-queue.js";
import type { Database } from "../store/database.js";

/** The started parts a resource manager works with; made once per `spec` on first use. */
export interface Runtime {
  database: Database;
  queue: MessageQueue;
  events: EventBus;
  settings: RunSettings;
  /** The spec's logger (`spec.configure({ logger })`), for the run loop and other parts to log through. */
  logger: Logger;
}
