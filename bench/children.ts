// The bench's child processes (workers, API servers): started with tsx, remembered so that
// every one is stopped when the bench ends, even on a failure or Ctrl-C.
import { type Child, spawnTs, waitForOutput } from "../test/support/child.js";

const running = new Set<Child>();

/** Starts `file` (relative to the project root) and waits until it prints `ready`. */
export async function startChild(
  file: string,
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<Child> {
  const child = spawnTs(file, env);
  running.add(child);
  void child.exited.then(() => running.delete(child));
  try {
    await waitForOutput(child, "ready", timeoutMs);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return child;
}

/** Asks the child to stop (SIGTERM), then kills it if it has not exited within `graceMs`. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (child.done()) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Stops every child still running. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child, 3000)));
}

/** Calls `onLine` with each complete line the child writes to stdout from now on. */
export function onStdoutLine(child: Child, onLine: (line: string) => void): void {
  let partial = "";
  child.process.stdout?.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
}

/** The child's resident set size in bytes, from /proc (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}
