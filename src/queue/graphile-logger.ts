import { Logger as GraphileLogger, type LogLevel } from "graphile-worker";
import type { Logger } from "../log/logger.js";

/**
 * graphile-worker's own logging, kept to warnings and errors, through jobstar's logger
 * (without one, on stderr).
 */
export function graphileLogger(log?: Logger): GraphileLogger {
  return new GraphileLogger(() => (level: LogLevel, message: string) => {
    if (level !== "error" && level !== "warning") return;
    if (!log) console.warn(`[graphile-worker] ${message}`);
    else if (level === "error") log.error({}, message);
    else log.warn({}, message);
  });
}
