// Figure 7: `submitNoopJob` mutations over HTTP to a jobstar API server in its own process,
// 48 requests in flight (after a warm-up of 48), req/s and latency percentiles. Reference:
// raw graphile-worker's addJob from the bench process, 48 in flight on a pool of 10.
import { makeWorkerUtils } from "graphile-worker";
import { quietPool } from "../pg-pool.js";
import { inFlight, percentile } from "../stats.js";
import { startApiServer } from "./api-server.js";
import type { BenchContext, Figure, Sample } from "./figure.js";

const IN_FLIGHT = 48;
const SUBMIT = "mutation Submit($n: Int!) { submitNoopJob(input: { payload: { n: $n } }) { id } }";

function samples(requests: number, seconds: number, latencies: number[]): Sample[] {
  const label = `7. submit ${requests} jobs over HTTP, 48 in flight`;
  return [
    { row: { label: `${label}: rate`, unit: "req/s", higherIsBetter: true }, value: requests / seconds },
    { row: { label: `${label}: p50`, unit: "ms", higherIsBetter: false }, value: percentile(latencies, 50) },
    { row: { label: `${label}: p99`, unit: "ms", higherIsBetter: false }, value: percentile(latencies, 99) },
  ];
}

/** Runs `call` `total` times 48 in flight (after 48 unmeasured); returns seconds and latencies. */
async function timed(total: number, call: (i: number) => Promise<void>): Promise<[number, number[]]> {
  await inFlight(IN_FLIGHT, IN_FLIGHT, call);
  const latencies: number[] = [];
  const started = performance.now();
  await inFlight(total, IN_FLIGHT, async (i) => {
    const t = performance.now();
    await call(IN_FLIGHT + i);
    latencies.push(performance.now() - t);
  });
  return [(performance.now() - started) / 1000, latencies];
}

export function submitHttpFigure(ctx: BenchContext, requests: number): Figure {
  return {
    key: "http",
    title: `7. submit mutations over HTTP (${requests})`,
    contenders: [
      {
        column: "jobstar",
        measure: async () => {
          const db = await ctx.server.scratch();
          try {
            const server = await startApiServer(db.url);
            try {
              const [seconds, latencies] = await timed(requests, async (n) => {
                const response = await fetch(server.url, {
                  method: "POST",
                  headers: { "content-type": "application/json" },
                  body: JSON.stringify({ query: SUBMIT, variables: { n } }),
                });
                const body = (await response.json()) as { errors?: unknown };
                if (!response.ok || body.errors) throw new Error(`submit failed: ${JSON.stringify(body)}`);
              });
              return samples(requests, seconds, latencies);
            } finally {
              await server.stop();
            }
          } finally {
            await db.drop();
          }
        },
      },
      {
        column: "graphile-worker",
        measure: async () => {
          const db = await ctx.server.scratch();
          const pool = quietPool(db.url);
          try {
            const utils = await makeWorkerUtils({ pgPool: pool });
            await utils.migrate();
            const [seconds, latencies] = await timed(requests, async (n) => {
              await utils.addJob("noop", { n });
            });
            await utils.release();
            return samples(requests, seconds, latencies);
          } finally {
            await pool.end();
            await db.drop();
          }
        },
      },
    ],
  };
}
