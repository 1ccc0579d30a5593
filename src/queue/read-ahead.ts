import type { ClaimableRow } from "../store/queries/read-claimable.js";

/** How many jobs read ahead are kept at most; the oldest are dropped first. */
const CAPACITY = 4096;

/**
 * Jobs read before their messages are delivered: a queue that holds messages for this
 * process (graphile-worker's local queue) names them when it fetches them, one read
 * covers them all, and each claim then needs only its write. A row read ahead may be
 * out of date by the time of its claim; the claim's write is guarded by the state it
 * read, so an out-of-date row makes the write miss, never claim wrongly, and the run
 * loop decides such a claim again on a fresh read.
 */
export class ReadAhead {
  private readonly rows = new Map<string, Promise<ClaimableRow | undefined>>();

  /** `read` answers the rows of the jobs it finds among `resourceIds`. */
  constructor(private readonly read: (resourceIds: string[]) => Promise<Map<string, ClaimableRow>>) {}

  /** Starts one read of these jobs. */
  add(resourceIds: string[]): void {
    if (resourceIds.length === 0) return;
    // A failed read only means the claims read for themselves.
    const read = this.read(resourceIds).catch(() => new Map<string, ClaimableRow>());
    for (const id of resourceIds) {
      this.rows.delete(id);
      this.rows.set(
        id,
        read.then((rows) => rows.get(id)),
      );
    }
    for (const id of this.rows.keys()) {
      if (this.rows.size <= CAPACITY) break;
      this.rows.delete(id);
    }
  }

  /** The row read ahead for `resourceId`, if any (each is handed out once). */
  take(resourceId: string): Promise<ClaimableRow | undefined> | undefined {
    const row = this.rows.get(resourceId);
    this.rows.delete(resourceId);
    return row;
  }
}
