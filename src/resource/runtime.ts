import type { EventBus } from "../events/bus.js";
import type { Logger } from "../log/logger.js";
import type { Liveness } from "../queue/liveness.js";
import type { MessageQueue, RunSettings } from "../queue/message-queue.js";
import type { Sweeper } from "../queue/sweeper.js";
import type { Database } from "../store/database.js";

/** The started parts a resource manager works with; made once per `spec` on first use. */
export interface Runtime {
  database: Database;
  queue: MessageQueue;
  events: EventBus;
  settings: RunSettings;
  /** This process's heartbeats: running attempts and live consumers. */
  liveness: Liveness;
  /** This process's recovery of dead workers' jobs and queue entries. */
  sweeper: Sweeper;
  /** This process's worker id, as recorded on the revisions its runs write (`worker:<id>`). */
  workerId: string;
  /** The spec's logger (`spec.configure({ logger })`), for the run loop and other parts to log through. */
  logger: Logger;
}
