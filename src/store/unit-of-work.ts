import { PostgresJsSession } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import type { Db, Tx } from "./database.js";

/** A transaction in progress, and a way to act once it has committed. */
export interface UnitOfWork {
  /** The transaction, for Drizzle queries. */
  readonly tx: Tx;
  /** The same transaction, for postgres.js statements (the hot paths, prepared once). */
  readonly sql: postgres.TransactionSql;
  /** Runs `callback` after the transaction commits; never if it rolls back. */
  afterCommit(callback: () => void): void;
}

/** Runs `work` in one transaction; its after-commit callbacks run once it has committed. */
export async function inUnitOfWork<T>(db: Db, work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
  const callbacks: (() => void)[] = [];
  const result = await db.transaction((tx) =>
    work({ tx, sql: transactionSql(tx), afterCommit: (callback) => callbacks.push(callback) }),
  );
  for (const callback of callbacks) callback();
  return result;
}

/**
 * The postgres.js transaction under a Drizzle one: Drizzle's postgres-js session holds it
 * (its type hides the session of a transaction; the check below keeps this honest).
 */
function transactionSql(tx: Tx): postgres.TransactionSql {
  const { session } = tx as unknown as { session: unknown };
  if (!(session instanceof PostgresJsSession))
    throw new Error("jobstar needs Drizzle's postgres-js driver: the transaction has another session");
  return session.client as postgres.TransactionSql;
}
