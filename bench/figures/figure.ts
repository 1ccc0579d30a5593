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

/** Polls `unfinished` every 25 ms until it is 0; resolves with performance.now() then. */
export async function untilAllDone(unfinished: () => Promise<number>, timeoutMs = 600_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((await unfinished()) === 0) return performance.now();
    if (performance.now() > deadline) throw new Error("jobs still unfinished after the timeout");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
