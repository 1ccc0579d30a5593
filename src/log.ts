/** Where jobstar reports what an operator should know: recoveries, outages, shutdown steps. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The default: warnings and errors on stderr, prefixed `jobstar:`; the rest dropped. */
export const consoleLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message) => console.warn(`jobstar: ${message}`),
  error: (message) => console.error(`jobstar: ${message}`),
};
