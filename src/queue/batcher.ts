import { isTransient } from "../store/transient.js";

/** How a {@link Batcher} groups work. */
export interface BatcherOptions {
  /** Items written together at most. Default: 100. */
  maxSize?: number;
  /** Batches in flight at once. Default: 1. */
  maxInFlight?: number;
  /**
   * While busy (the last batch held more than one item), wait this long (ms) for more
   * items before writing the next batch, unless it is full: fewer, larger batches cost
   * the database less. An idle batcher writes a lone item at once. Default: 0.
   */
  lingerMs?: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: items submitted while a batch is being written (or within the same turn
 * of the event loop) are written together by the next one. An idle batcher writes a
 * lone item at once; a busy one writes larger batches, so round trips and commits per
 * item fall as load grows. A batch that fails for a reason other than an outage is
 * written again item by item, so one bad item does not fail the others.
 */
export class Batcher<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxSize: number;
  private readonly maxInFlight: number;
  private readonly lingerMs: number;
  private lastSize = 0;
  private lingering: NodeJS.Timeout | null = null;

  /** `write` gets a batch and answers, in order, one result per item. */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    options: BatcherOptions = {},
  ) {
    this.maxSize = options.maxSize ?? 100;
    this.maxInFlight = options.maxInFlight ?? 1;
    this.lingerMs = options.lingerMs ?? 0;
  }

  /** Writes `item` with the next batch; resolves with its result once that batch is written. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.lingering && this.waiting.length >= this.maxSize) {
      clearTimeout(this.lingering);
      this.lingering = null;
      this.scheduled = false;
    }
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    this.scheduled = true;
    if (this.lingerMs > 0 && this.lastSize > 1 && this.waiting.length < this.maxSize) {
      this.lingering = setTimeout(() => {
        this.lingering = null;
        this.scheduled = false;
        this.flush();
      }, this.lingerMs);
      return;
    }
    // The rest of this turn's submissions (handlers finishing together, a fetched
    // batch of messages) join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxSize);
      this.lastSize = batch.length;
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async run(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((waiting) => waiting.item));
      for (const [i, waiting] of batch.entries()) waiting.resolve(results[i] as O);
    } catch (error) {
      if (batch.length === 1 || isTransient(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      await Promise.all(batch.map((waiting) => this.run([waiting])));
    }
  }
}
