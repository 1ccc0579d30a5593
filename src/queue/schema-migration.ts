import type postgres from "postgres";
import { MigrationError } from "../errors.js";
import { MIGRATION_USER, migratePayload } from "../model/migration.js";
import type { Schema } from "../model/schema.js";
import { TaskStatus } from "../model/task-status.js";
import type { Database } from "../store/database.js";
import { findOutdatedJobs } from "../store/queries/outdated-jobs.js";
import type { ClaimableRow } from "../store/queries/read-claimable.js";
import { type Transition, writeTransitions } from "../store/queries/write-transitions.js";
import { inUnitOfWork, type UnitOfWork } from "../store/unit-of-work.js";
import type { MessageQueue } from "./message-queue.js";
import { enqueuePartitionHeads } from "./partitions.js";

/**
 * The write that brings a job stored at an older schema version to `schema`'s: a stable
 * revision by `jobstar:migration` with the migrated payload (status unchanged), or, when
 * the payload cannot be migrated, a FAILED revision saying why (a PENDING job only: a
 * finished job is left at its version). Null for a job that needs nothing (current
 * version, or running: its run's finish expects the revision it claimed).
 */
export function migrationOf(row: ClaimableRow, schema: Schema, now: Date): Transition | null {
  if (row.schemaVersion === schema.version || row.status === TaskStatus.PROCESSING) return null;
  const base = {
    resourceId: row.resourceId,
    modelName: schema.name,
    expect: {
      revisionId: row.currentRevisionId,
      number: row.number,
      status: row.status,
      attempt: row.attempt,
    },
    revisionStatus: "stable" as const,
    user: MIGRATION_USER,
    createdBy: row.createdBy,
    now,
    attempt: row.attempt,
    leasedBy: null,
    runAt: null,
  };
  try {
    const payload = migratePayload(schema, row.schemaVersion, row.data.payload);
    return { ...base, schemaVersion: schema.version, data: { ...row.data, payload } };
  } catch (error) {
    if (!(error instanceof MigrationError) || row.status !== TaskStatus.PENDING) return null;
    const data = { ...row.data, status: TaskStatus.FAILED, errmsg: error.message, lastHeartbeatAt: null };
    return { ...base, schemaVersion: row.schemaVersion, data };
  }
}

/**
 * Writes the migrations of `rows` (one statement, each guarded by the state read) and
 * answers each row as it is now: migrated, failed, or unchanged when the write did not
 * apply (the job moved on meanwhile).
 */
export async function migrateRows(
  sql: postgres.Sql | postgres.TransactionSql,
  schema: Schema,
  rows: ClaimableRow[],
): Promise<ClaimableRow[]> {
  const now = new Date();
  const writes = rows.map((row) => migrationOf(row, schema, now));
  const transitions = writes.filter((write): write is Transition => write !== null);
  if (transitions.length === 0) return rows;
  const written = new Map(
    (await writeTransitions(sql, transitions)).flatMap((revision) =>
      revision ? [[revision.resourceId, revision] as const] : [],
    ),
  );
  return rows.map((row) => {
    const revision = written.get(row.resourceId);
    if (!revision) return row;
    return {
      ...row,
      currentRevisionId: revision.revisionId,
      number: revision.number,
      schemaVersion: revision.schemaVersion,
      data: revision.data,
      status: revision.data.status,
    };
  });
}

/** Jobs migrated per transaction by {@link migrateStoredJobs}. */
export const MIGRATION_BATCH_SIZE = 500;

/**
 * Migrates every stored job of `schema`'s model that is not at its version and not
 * running, in transactions of `batchSize` jobs. A PENDING job that is migrated gets a
 * new queue entry in the same transaction (its waiting entry may be delivered while the
 * revision changes, and such a claim is refused); one that cannot be migrated is FAILED.
 * Returns how many jobs were migrated.
 */
export async function migrateStoredJobs(
  database: Database,
  queue: MessageQueue,
  schema: Schema,
  batchSize = MIGRATION_BATCH_SIZE,
): Promise<number> {
  let migrated = 0;
  let after = "";
  for (;;) {
    const rows = await findOutdatedJobs(database.sql, schema.key, schema.version, after, batchSize);
    if (rows.length === 0) return migrated;
    after = (rows.at(-1) as ClaimableRow).resourceId;
    migrated += await inUnitOfWork(database.db, async (unit) => {
      const now = await migrateRows(unit.sql, schema, rows);
      await handOnFailedPartitions(unit, queue, schema, rows, now);
      const pending = rows.filter((row, i) => {
        const current = now[i] as ClaimableRow;
        return (
          current.schemaVersion === schema.version && current.status === TaskStatus.PENDING && current !== row
        );
      });
      await queue.enqueueMany(
        unit,
        pending.map((row) => ({
          model: schema.key,
          resourceId: row.resourceId,
          attempt: row.attempt,
          priority: row.data.priority ?? 0,
          ...(row.runAt ? { runAt: row.runAt } : {}),
        })),
      );
      return now.filter((row, i) => row !== rows[i] && row.schemaVersion === schema.version).length;
    });
  }
}

/**
 * Enqueues the next job of each partition whose PENDING job the migration failed: that
 * job may have been the one its partition waited for (see queue/partitions.ts).
 */
export async function handOnFailedPartitions(
  unit: UnitOfWork,
  queue: MessageQueue,
  schema: Schema,
  before: ClaimableRow[],
  after: ClaimableRow[],
): Promise<void> {
  const keys = after.flatMap((row, i) =>
    row !== before[i] && row.status === TaskStatus.FAILED && row.data.partitionKey !== null
      ? [row.data.partitionKey]
      : [],
  );
  await enqueuePartitionHeads(unit, queue, schema.key, keys);
}
