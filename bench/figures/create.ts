// Figures 2 and 3: create rates with no worker running. Single: 50 calls in flight, each
// its own transaction (or command). Bulk: batches of 1,000 jobs, one call each, one after another.
import type { Peer } from "../peers/peer.js";
import { inFlight } from "../stats.js";
import type { BenchContext, Figure } from "./figure.js";

export function createSingleFigure(ctx: BenchContext, jobs: number): Figure {
  const row = {
    label: `2. create ${jobs} jobs, one each, 50 in flight`,
    unit: "jobs/s",
    higherIsBetter: true,
  };
  return {
    key: "create",
    title: row.label,
    contenders: ctx.peers.map((peer: Peer) => ({
      column: peer.name,
      measure: async () => {
        const session = await peer.open(ctx.server);
        try {
          const started = performance.now();
          await inFlight(jobs, 50, (i) => session.createOne(i));
          return [{ row, value: jobs / ((performance.now() - started) / 1000) }];
        } finally {
          await session.close();
        }
      },
    })),
  };
}

export function createBulkFigure(ctx: BenchContext, jobs: number): Figure {
  const row = { label: `3. create ${jobs} jobs in batches of 1,000`, unit: "jobs/s", higherIsBetter: true };
  return {
    key: "bulk",
    title: row.label,
    contenders: ctx.peers.map((peer: Peer) => ({
      column: peer.name,
      measure: async () => {
        const session = await peer.open(ctx.server);
        try {
          const started = performance.now();
          for (let i = 0; i < jobs; i += 1000) {
            await session.createBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => i + k));
          }
          const value = jobs / ((performance.now() - started) / 1000);
          return [{ row, value, note: session.bulkNote }];
        } finally {
          await session.close();
        }
      },
    })),
  };
}
