/** The command line was wrong (unknown command or option, missing value): exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
