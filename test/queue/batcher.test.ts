import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Batcher } from "../../src/queue/batcher.js";

describe("Batcher", () => {
  it("writes a lone item at once, and items that arrive while a batch is written together", async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const batcher = new Batcher<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((n) => n * 10);
    });
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4].map((n) => batcher.submit(n));
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("keeps batches within maxSize", async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        return items;
      },
      { maxSize: 3 },
    );
    await Promise.all(Array.from({ length: 7 }, (_, i) => batcher.submit(i)));
    expect(sizes).toEqual([3, 3, 1]);
  });

  it("writes a failed batch again item by item, so one bad item fails alone", async () => {
    const batcher = new Batcher<number, number>(async (items) => {
      if (items.includes(13)) throw new Error("13 is refused");
      return items;
    });
    const results = await Promise.allSettled([1, 13, 2].map((n) => batcher.submit(n)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error("13 is refused"));
  });

  it("fails the whole batch at once when the database is out of reach (the callers retry)", async () => {
    let calls = 0;
    const outage = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const batcher = new Batcher<number, number>(async () => {
      calls++;
      throw outage;
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(calls).toBe(1);
  });

  describe("lingerMs", () => {
    /** A batcher that records its batches and whose writes take `writeMs`. */
    function recording(lingerMs: number, maxSize = 100, writeMs = 0) {
      const batches: number[][] = [];
      const batcher = new Batcher<number, number>(
        async (items) => {
          batches.push(items);
          if (writeMs > 0) await sleep(writeMs);
          return items;
        },
        { lingerMs, maxSize },
      );
      return { batches, batcher };
    }

    it("while busy, waits for more items and writes them as one batch", async () => {
      const { batches, batcher } = recording(100);
      await Promise.all([1, 2].map((n) => batcher.submit(n)));
      // The last batch held two items: the next one lingers, and items that arrive meanwhile join it.
      const late = [batcher.submit(3)];
      await sleep(20);
      late.push(batcher.submit(4), batcher.submit(5));
      await Promise.all(late);
      expect(batches).toEqual([
        [1, 2],
        [3, 4, 5],
      ]);
    });

    it("writes a lone item of an idle batcher at once", async () => {
      const { batches, batcher } = recording(10_000);
      await batcher.submit(1);
      const started = performance.now();
      await batcher.submit(2);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(batches).toEqual([[1], [2]]);
    });

    it("writes a full batch without waiting out the linger", async () => {
      const { batches, batcher } = recording(10_000, 2);
      await Promise.all([1, 2].map((n) => batcher.submit(n)));
      const started = performance.now();
      await Promise.all([3, 4].map((n) => batcher.submit(n)));
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(batches).toEqual([
        [1, 2],
        [3, 4],
      ]);
    });
  });
});
