// Figure 1: processing rate. N no-op jobs are queued first; then a worker process of the
// given concurrency starts, and the clock runs from its "ready" until no job is unfinished
// (counted by the bench process every 25 ms, not by the worker).
import { stopChild } from "../children.js";
import type { Peer } from "../peers/peer.js";
import type { BenchContext, Figure } from "./figure.js";
import { untilAllDone } from "./figure.js";

export function processingFigure(ctx: BenchContext, jobs: number, concurrency: number): Figure {
  const row = {
    label: `1. processing ${jobs} jobs, concurrency ${concurrency}`,
    unit: "jobs/s",
    higherIsBetter: true,
  };
  return {
    key: "processing",
    title: row.label,
    footnote:
      "1, 4: pg-boss 10 has no concurrency option and fetches once per 0.5 s poll: its worker runs CONCURRENCY " +
      "work() loops, each taking up to 100 jobs per fetch and running them one after another.",
    contenders: ctx.peers.map((peer: Peer) => ({
      column: peer.name,
      measure: async () => {
        const session = await peer.open(ctx.server);
        try {
          for (let i = 0; i < jobs; i += 1000) {
            await session.createBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => i + k));
          }
          const worker = await session.startWorker(concurrency);
          try {
            const started = performance.now();
            const done = await untilAllDone(session.unfinished);
            return [{ row, value: jobs / ((done - started) / 1000) }];
          } finally {
            await stopChild(worker);
          }
        } finally {
          await session.close();
        }
      },
    })),
  };
}
