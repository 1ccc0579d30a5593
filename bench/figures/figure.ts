// A figure: rows of the table, measured by each of its systems once per rep. The bench
// runs the systems of one figure in turn within each rep (interleaved), so that drift of a
// noisy machine spreads over all of them.
import type { DatabaseServer } from "../database.js";
import type { Peer } from "../peers/peer.js";
import type { RowSpec } from "../table.js";

/** One value of one row. */
export interface Sample {
  readonly row: RowSpec;
  readonly value: number;
  readonly note?: string;
}

/** A system's measurement for one rep. */
export interface Contender {
  readonly column: string;
  measure(): Promise<Sample[]>;
}

export interface Figure {
  /** The name `--only` selects. */
  readonly key: string;
  readonly title: string;
  /** How to read the figure, printed under the table. */
  readonly footnote?: string;
  readonly contenders: readonly Contender[];
}

/** What a figure is built from. */
export interface BenchContext {
  readonly server: DatabaseServer;
  /** The peers that can run here (BullMQ only with Redis), jobstar first. */
  readonly peers: readonly Peer[];
  readonly quick: boolean;
}

/**
 * Polls `unfinished` until it is 0; resolves with performance.now() then. A count costs the
 * database being measured, more as its table grows (at 20,000 jobs, counting every 25 ms
 * took 0.06 ms of PostgreSQL CPU per jobstar job), so a poll waits an eighth of the time
 * the rest should take at the rate of the last two polls, between 25 and 250 ms: tens of
 * counts a run instead of hundreds, and the end is still seen within about 25 ms.
 */
export async function untilAllDone(unfinished: () => Promise<number>, timeoutMs = 600_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let last: { left: number; at: number } | null = null;
  for (;;) {
    const left = await unfinished();
    const at = performance.now();
    if (left === 0) return at;
    if (at > deadline) throw new Error("jobs still unfinished after the timeout");
    const rate = last ? (last.left - left) / (at - last.at) : 0;
    last = { left, at };
    const wait = rate > 0 ? Math.min(Math.max(left / rate / 8, 25), 250) : 25;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
