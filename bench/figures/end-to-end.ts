// Figure 4: end to end. The worker process (concurrency 8) waits first; the bench creates
// jobs 50 in flight while it runs them; the clock runs from the first create until no job
// is unfinished.
import { stopChild } from "../children.js";
import type { Peer } from "../peers/peer.js";
import { inFlight } from "../stats.js";
import type { BenchContext, Figure } from "./figure.js";
import { untilAllDone } from "./figure.js";

export function endToEndFigure(ctx: BenchContext, jobs: number): Figure {
  const row = {
    label: `4. end to end ${jobs} jobs (create 50 in flight + run, concurrency 8)`,
    unit: "jobs/s",
    higherIsBetter: true,
  };
  return {
    key: "e2e",
    title: row.label,
    contenders: ctx.peers.map((peer: Peer) => ({
      column: peer.name,
      measure: async () => {
        const session = await peer.open(ctx.server);
        try {
          const worker = await session.startWorker(8);
          try {
            const started = performance.now();
            await inFlight(jobs, 50, (i) => session.createOne(i));
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
