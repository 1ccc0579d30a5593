import postgres from "postgres";
import { DatabaseUnavailableError } from "../errors.js";

/** How long the first connection may take before start-up gives up. */
export const CONNECT_TIMEOUT_SECONDS = 10;

/**
 * Connects once to `url` and runs `select 1`, so that a wrong URL, an unreachable host,
 * a refused login or a missing database fails start-up at once, with an error that names
 * `setting` (e.g. `DATABASE_URL`) and the fix, instead of a driver stack trace or a long wait.
 */
export async function checkConnection(
  url: string,
  setting: string,
  timeoutSeconds = CONNECT_TIMEOUT_SECONDS,
): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUnavailableError(
      setting,
      `${setting} is not a URL: expected postgres://user:password@host:5432/database`,
    );
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new DatabaseUnavailableError(
      setting,
      `${setting} must start with postgres:// or postgresql://, not ${parsed.protocol}//`,
    );
  }
  const where = `${parsed.hostname}:${parsed.port || 5432}`;
  const sql = postgres(url, { max: 1, connect_timeout: timeoutSeconds, onnotice: () => {} });
  let timer: NodeJS.Timeout | undefined;
  // postgres.js keeps retrying some connect failures; our own timer bounds the wait.
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error("timeout"), { code: "CONNECT_TIMEOUT" })),
      timeoutSeconds * 1000,
    );
  });
  try {
    await Promise.race([sql`select 1`, timedOut]);
  } catch (error) {
    throw describe(error, setting, where, parsed, timeoutSeconds);
  } finally {
    clearTimeout(timer);
    await sql.end({ timeout: 0 }).catch(() => {});
  }
}

function describe(
  error: unknown,
  setting: string,
  where: string,
  url: URL,
  timeoutSeconds: number,
): DatabaseUnavailableError {
  const code = (error as { code?: unknown }).code;
  const user = decodeURIComponent(url.username) || "(none)";
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  const message = (() => {
    switch (code) {
      case "ECONNREFUSED":
        return `nothing accepts connections at ${where} (${setting}): start PostgreSQL there or fix the host and port`;
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return `the host ${url.hostname} in ${setting} is not known: fix the host name`;
      case "CONNECT_TIMEOUT":
      case "ETIMEDOUT":
      case "EHOSTUNREACH":
      case "ENETUNREACH":
        return `PostgreSQL at ${where} did not answer within ${timeoutSeconds} s (${setting}): check the host, port and firewall`;
      case "28P01":
      case "28000":
        return `PostgreSQL at ${where} refused user ${user} (${setting}): fix the user name and password`;
      case "3D000":
        return `database ${database} does not exist at ${where} (${setting}): create it (createdb ${database}) or fix the name`;
      default:
        return `could not connect to PostgreSQL at ${where} (${setting}): ${(error as Error).message ?? String(error)}`;
    }
  })();
  return new DatabaseUnavailableError(setting, message, { cause: error });
}
