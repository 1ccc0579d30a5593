import type { Db, Tx } from "./database.js";

/** A transaction in progress, and a way to act once it has committed. */
export interface UnitOfWork {
  readonly tx: Tx;
  /** Runs `callback` after the transaction commits; never if it rolls back. */
  afterCommit(callback: () => void): void;
}

/** Runs `work` in one transaction; its after-commit callbacks run once it has committed. */
export async function inUnitOfWork<T>(db: Db, work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
  const callbacks: (() => void)[] = [];
  const result = await db.transaction((tx) =>
    work({ tx, afterCommit: (callback) => callbacks.push(callback) }),
  );
  for (const callback of callbacks) callback();
  return result;
}
