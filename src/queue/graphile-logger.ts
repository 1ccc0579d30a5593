import { Logger as GraphileLogger, type LogLevel } from "graphile-worker";
import { consoleLogger, type Logger } from "../log.js";

/** graphile-worker's own logging, kept to warnings and errors, through jobstar's logger. */
export function graphileLogger(log: Logger = consoleLogger): GraphileLogger {
  return new GraphileLogger(() => (level: LogLevel, message: string) => {
    if (level === "error") log.error(`[graphile-worker] ${message}`);
    else if (level === "warning") log.warn(`[graphile-worker] ${message}`);
  });
}
