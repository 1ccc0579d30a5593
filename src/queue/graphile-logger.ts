import { Logger, type LogLevel } from "graphile-worker";

/** graphile-worker's own logging, kept to warnings and errors. */
export const silentLogger = new Logger(() => (level: LogLevel, message: string) => {
  if (level === "error" || level === "warning") console.warn(`[graphile-worker] ${message}`);
});
