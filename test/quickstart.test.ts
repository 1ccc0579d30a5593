// The README's quickstart (DESIGN.md §2) runs as written, as a user would run it: on the
// seed's SimpleMessageQueueFactory, and on each queue JOBSTAR_QUEUE names.
import { afterAll, beforeAll, expect, it } from "vitest";
import { AMQP_URL, missingBroker, REDIS_URL, removeBrokerQueues } from "./support/brokers.js";
import { type Child, spawnChild, stopChild } from "./support/child.js";
import { freshDatabase } from "./support/database.js";

let url: string;
let drop: () => Promise<void>;
const children: Child[] = [];

beforeAll(async () => {
  ({ url, drop } = await freshDatabase());
});

afterAll(async () => {
  // SIGTERM, not SIGKILL: the tsx CLI relays it to the script it runs in a child process.
  await Promise.all(children.map((child) => stopChild(child, "SIGTERM")));
  await drop?.();
  // The quickstart uses the default queue names (jobstar.training-job).
  await removeBrokerQueues("jobstar.", ["training-job"]);
});

it.each<{ queue: string; env: Record<string, string>; broker: "amqp" | "redis" | null }>([
  { queue: "simple (the seed's)", env: {}, broker: null },
  { queue: "graphile", env: { JOBSTAR_QUEUE: "graphile" }, broker: null },
  { queue: "rabbitmq", env: { JOBSTAR_QUEUE: "rabbitmq", AMQP_URL }, broker: "amqp" },
  {
    queue: "celery over AMQP",
    env: { JOBSTAR_QUEUE: "celery", CELERY_BROKER_URL: AMQP_URL },
    broker: "amqp",
  },
  {
    queue: "celery over Redis",
    env: { JOBSTAR_QUEUE: "celery", CELERY_BROKER_URL: REDIS_URL },
    broker: "redis",
  },
])(
  "examples/quickstart.ts on the $queue queue prints `job completed` and exits 0",
  async ({ env, broker }) => {
    const missing = missingBroker(broker);
    if (missing) return console.warn(missing);
    const child = spawnChild("node_modules/.bin/tsx", ["examples/quickstart.ts"], {
      DATABASE_URL: url,
      ...env,
    });
    children.push(child);
    const exit = await child.exited;
    const output = `stdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`;
    expect(exit, output).toEqual({ code: 0, signal: null });
    expect(child.stdout(), output).toContain("job completed");
    expect(child.stdout()).toMatch(/start training job created by anonymous/);
  },
);
