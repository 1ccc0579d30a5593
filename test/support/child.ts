import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The project root: child processes run there. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** How a child process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process with its output collected. */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Whether it has exited. */
  done(): boolean;
}

/** Starts `command args` in the project root with `env` added to this process's environment. */
export function spawnChild(command: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: "pipe" });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  let out = "";
  let err = "";
  let finished = false;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      finished = true;
      resolve({ code, signal });
    });
  });
  return {
    process: child,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    done: () => finished,
  };
}

/**
 * Starts a TypeScript file with tsx loaded into the one Node process (`node --import tsx`),
 * so that a signal sent to `pid` reaches the script itself.
 */
export function spawnTs(file: string, env: Record<string, string>): Child {
  return spawnChild(process.execPath, ["--import", "tsx", file], env);
}

/** Starts the `jobstar` CLI from its sources (`node --import tsx src/cli/bin.ts …`), as `npm start` does. */
export function spawnCli(args: string[], env: Record<string, string>): Child {
  return spawnChild(process.execPath, ["--import", "tsx", "src/cli/bin.ts", ...args], env);
}

/** Waits until the child has printed `text` on stdout; fails if it exits first or takes too long. */
export async function waitForOutput(child: Child, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.stdout().includes(text)) {
    if (child.done() || Date.now() > deadline) {
      throw new Error(
        `${child.done() ? "exited" : "timed out"} before printing ${JSON.stringify(text)}\n` +
          `stdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends `signal` to the child (by its pid) unless it has exited, and waits for the exit. */
export async function stopChild(child: Child, signal: NodeJS.Signals): Promise<Exit> {
  if (!child.done()) child.process.kill(signal);
  return child.exited;
}
