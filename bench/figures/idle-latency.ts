// Figure 5: idle latency from create to handler start. The worker process (concurrency 8)
// waits on an empty queue; the bench creates one job at a time and notes the time when the
// create call resolved; the handler prints the time when it starts (same machine, same
// clock: bench/clock.ts, as Date.now()'s whole milliseconds are too coarse for this
// figure). The next job follows 20 ms after the previous one started.
import { setTimeout as sleep } from "node:timers/promises";
import { onStdoutLine, stopChild } from "../children.js";
import { wallNow } from "../clock.js";
import type { Peer } from "../peers/peer.js";
import { percentile } from "../stats.js";
import type { RowSpec } from "../table.js";
import type { BenchContext, Figure } from "./figure.js";

export function idleLatencyFigure(ctx: BenchContext, jobs: number): Figure {
  // A p99 of fewer than 100 samples is just their maximum: left out then.
  const rows: [number, RowSpec][] = (jobs >= 100 ? [50, 95, 99] : [50, 95]).map((p) => [
    p,
    { label: `5. idle create → handler start p${p} (${jobs} jobs)`, unit: "ms", higherIsBetter: false },
  ]);
  return {
    key: "latency",
    title: `5. idle create → handler start (${jobs} jobs)`,
    footnote:
      "5: pg-boss 10 fetches once per polling interval (0.5 s, its minimum) and the next job is created 20 ms " +
      "after the previous one started, i.e. just after a poll: its figure is near the 0.5 s worst case, " +
      "not the ~0.25 s mean of jobs arriving at random.",
    contenders: ctx.peers.map((peer: Peer) => ({
      column: peer.name,
      measure: async () => {
        const session = await peer.open(ctx.server);
        try {
          const worker = await session.startWorker(8, true);
          const starts = new Map<number, number>();
          onStdoutLine(worker, (line) => {
            const [word, n, ms] = line.split(" ");
            if (word === "start") starts.set(Number(n), Number(ms));
          });
          try {
            const latencies: number[] = [];
            for (let i = 0; i < jobs; i++) {
              await session.createOne(i);
              const created = wallNow();
              const deadline = created + 30_000;
              while (!starts.has(i)) {
                if (Date.now() > deadline)
                  throw new Error(`${peer.name}: job ${i} did not start within 30 s`);
                await sleep(1);
              }
              latencies.push((starts.get(i) ?? 0) - created);
              await sleep(20);
            }
            return rows.map(([p, row]) => ({ row, value: percentile(latencies, p) }));
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
