import pino from "pino";
import pretty from "pino-pretty";
import { ConfigurationError } from "../errors.js";

/** Writes one structured log line: fields first, then the message (pino's argument order). */
export type LogMethod = (fields: Record<string, unknown>, message: string) => void;

/**
 * What jobstar logs through. A pino logger fits as is; so does any object with these
 * methods. Nothing jobstar logs at `info` or above carries payloads or SQL parameters.
 */
export interface Logger {
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  /** A logger that adds `bindings` to every line (e.g. `{ component: "queue" }`). */
  child(bindings: Record<string, unknown>): Logger;
}

/** Levels of {@link createLogger}, most to least verbose, plus `silent`. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written. Default: `LOG_LEVEL`, else `info`. */
  level?: string;
  /** Human-readable lines instead of JSON. Default: whether stdout is a terminal. */
  pretty?: boolean;
  /** Fields on every line (e.g. `{ name: "jobstar" }`). */
  base?: Record<string, unknown>;
  /** File descriptor written to: 1 (stdout) or 2 (stderr, when stdout carries data). Default: 1. */
  destination?: 1 | 2;
}

/**
 * A pino logger to stdout: JSON lines (for log collectors) unless stdout is a terminal,
 * where lines are prettified in-process (no worker thread, so nothing to resolve at run time).
 */
export function createLogger(options: LoggerOptions = {}): pino.Logger {
  const level = logLevel(options.level);
  const base = { name: "jobstar", ...options.base };
  const fd = options.destination ?? 1;
  const stream = fd === 2 ? process.stderr : process.stdout;
  if (options.pretty ?? stream.isTTY === true) {
    return pino(
      { level, base },
      pretty({ sync: true, ignore: "pid,hostname,name", translateTime: "SYS:HH:MM:ss.l", destination: fd }),
    );
  }
  const json = { level, base: { pid: process.pid, ...base } };
  // Synchronous writes: with pino's default asynchronous stream, the lines still being
  // written when the process exits raced the ones flushed at exit, and a shutdown's last
  // lines could come out of order. jobstar logs events, not every job, so this costs little.
  return pino(json, pino.destination({ dest: fd, sync: true }));
}

/** The level to use: `level`, else `LOG_LEVEL`, else `info`; an unknown name is refused. */
export function logLevel(level = process.env.LOG_LEVEL || "info"): string {
  const normalized = level.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(normalized)) {
    throw new ConfigurationError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}; got ${JSON.stringify(level)}`,
    );
  }
  return normalized;
}

/** Whether debug lines (and so stack traces) are wanted. */
export function isDebug(level = process.env.LOG_LEVEL): boolean {
  return level === "debug" || level === "trace";
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}
