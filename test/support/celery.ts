// Python Celery for the interop tests: Debian's python3-celery (and python3-redis),
// installed here when missing and we may (root on Debian, as .ci/run does).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const PYTHON = "/usr/bin/python3";

const hasCelery = () =>
  existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import celery, redis"], { stdio: "ignore" }).status === 0;

/** Makes sure Python Celery is there; returns why the interop tests must be skipped, or null. */
export function ensurePythonCelery(): string | null {
  if (hasCelery()) return null;
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    try {
      execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
      execFileSync("apt-get", ["install", "-y", "-qq", "python3-celery", "python3-redis"], {
        stdio: "inherit",
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
    } catch (error) {
      return `python3-celery could not be installed (${String(error)}): Celery interop skipped`;
    }
    if (hasCelery()) return null;
  }
  return "python3-celery is missing and cannot be installed here (apt-get install python3-celery python3-redis): Celery interop skipped";
}
