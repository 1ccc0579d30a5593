// `npm start` as a user runs it (`jobstar serve` with the demo models): on the embedded
// PostgreSQL in the working directory, stopped with Ctrl-C (SIGINT to the whole process
// group, as a terminal sends it), restarted, with a separate `npm run worker` (`jobstar
// worker`) that outlives it.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT } from "./support/child.js";

const TSX = path.join(ROOT, "node_modules/tsx/dist/loader.mjs");

/** A demo process in its own process group, like a job started from a terminal. */
interface Demo {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

let cwd: string;
let port: number;
const running: Demo[] = [];

beforeAll(async () => {
  cwd = await fs.mkdtemp(path.join(os.tmpdir(), "jobstar-demo-"));
  await fs.chmod(cwd, 0o755);
  port = await freePort();
});

afterAll(async () => {
  for (const demo of running) if (demo.child.exitCode === null) ctrlC(demo);
  await Promise.all(running.map((demo) => Promise.race([demo.exited, sleep(20_000)])));
  for (const demo of running) if (demo.child.exitCode === null) demo.child.kill("SIGKILL");
  await fs.rm(cwd, { recursive: true, force: true });
}, 60_000);

function start(command: "serve" | "worker", env: Record<string, string> = {}): Demo {
  const cli = path.join(ROOT, "src/cli/bin.ts");
  const models = path.join(ROOT, "examples/demo-server.ts");
  const child = spawn(process.execPath, ["--import", TSX, cli, command, "--models", models], {
    cwd,
    env: { ...process.env, DATABASE_URL: "", PORT: String(port), LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const demo = { child, out: () => out, err: () => err, exited };
  running.push(demo);
  return demo;
}

/** Ctrl-C: SIGINT to every process of the group. */
function ctrlC(demo: Demo): void {
  if (demo.child.pid) process.kill(-demo.child.pid, "SIGINT");
}

async function printed(demo: Demo, text: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!demo.out().includes(text)) {
    if (demo.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`no "${text}"; stdout: ${demo.out()}\nstderr: ${demo.err()}`);
    await sleep(50);
  }
}

async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const SUBMIT = `mutation { submitTrainingJob(input: { payload: { data_id: "d", algo: mlp, params: {} } }) { id } }`;
const STATUS = `query ($id: ID!) { job(id: $id) { status retries } }`;

async function submit(): Promise<string> {
  return (await graphql<{ submitTrainingJob: { id: string } }>(SUBMIT)).submitTrainingJob.id;
}

async function statusOf(id: string): Promise<{ status: string; retries: number }> {
  return (await graphql<{ job: { status: string; retries: number } }>(STATUS, { id })).job;
}

async function until(id: string, status: string): Promise<{ status: string; retries: number }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = await statusOf(id);
    if (job.status === status || Date.now() > deadline) return job;
    await sleep(100);
  }
}

it("Ctrl-C stops the demo cleanly: the running job finishes, exit 0, the embedded database last", async () => {
  const server = start("serve");
  await printed(server, "GraphiQL at");
  const id = await submit();
  ctrlC(server);
  expect(await server.exited).toBe(0);
  expect(server.err()).not.toMatch(/Error|at .*\.(ts|js):\d+/);
  expect(server.out()).not.toMatch(/"level":50|Error/);
  // The embedded server stopped with it: nothing answers on its port.
  const dbPort = Number((await fs.readFile(path.join(cwd, ".jobstar", "port"), "utf8")).trim());
  expect(await answers(dbPort)).toBe(false);

  // Started again (the same data folder and port), the job submitted before Ctrl-C has
  // finished within the grace period: no retry spent, nothing left running.
  const again = start("serve");
  await printed(again, "GraphiQL at");
  expect(await until(id, "COMPLETED")).toEqual({ status: "COMPLETED", retries: 0 });
  ctrlC(again);
  expect(await again.exited).toBe(0);
}, 120_000);

it("a separate worker outlives the server's restart and runs jobs submitted after it", async () => {
  const server = start("serve", { WORKER: "0" });
  await printed(server, "GraphiQL at");
  const worker = start("worker");
  await printed(worker, "consuming");
  expect(await until(await submit(), "COMPLETED")).toMatchObject({ status: "COMPLETED" });

  ctrlC(server);
  expect(await server.exited).toBe(0);
  await sleep(1000);
  const again = start("serve", { WORKER: "0" });
  await printed(again, "GraphiQL at");
  // The worker reconnected to the embedded server, found on the port kept in .jobstar/.
  expect(await until(await submit(), "COMPLETED")).toMatchObject({ status: "COMPLETED", retries: 0 });
  expect(worker.child.exitCode).toBe(null);

  ctrlC(worker);
  expect(await worker.exited).toBe(0);
  ctrlC(again);
  expect(await again.exited).toBe(0);
}, 120_000);

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
