/** Import: jobs from an NDJSON dump, idempotently, enqueuing the pending ones. */
import { ValidationError } from "../errors.js";
import { TaskStatus } from "../model/task-status.js";
import type { MessageQueue } from "../queue/message-queue.js";
import type { Database } from "../store/database.js";
import { insertLogs, insertMissingResources, insertRevisions } from "../store/queries/transfer.js";
import { inUnitOfWork } from "../store/unit-of-work.js";
import { type JobRecord, parseLine } from "./format.js";
import { readLines } from "./lines.js";

/** Jobs written per transaction. */
export const IMPORT_BATCH = 500;

/** What an import did. */
export interface ImportResult {
  /** Jobs read from the dump. */
  read: number;
  /** Jobs written (they were not in the database). */
  imported: number;
  /** Jobs left alone: already there (same id, or same model and idempotency key). */
  skipped: number;
  /** Imported PENDING jobs put on the queue. */
  enqueued: number;
}

/**
 * Reads a dump from `input` and writes each job that is not in the database yet, with its
 * revisions and logs, exactly as it was (ids, times, authors). A job already there is left
 * as it is, so importing twice changes nothing; a finished job is written as finished and
 * never runs; a PENDING one is enqueued in the same transaction. A PROCESSING one is
 * written as it was and recovered by the sweeper like a job of a dead worker. Lines are
 * read as they are consumed, {@link IMPORT_BATCH} jobs per transaction, so memory does not
 * grow with the dump. A bad line (or an unregistered model) stops the import with a
 * {@link ValidationError} naming the line; the batches before it are committed.
 */
export async function importJobs(
  database: Database,
  queue: MessageQueue,
  models: ReadonlySet<string>,
  input: AsyncIterable<string | Uint8Array>,
): Promise<ImportResult> {
  const result: ImportResult = { read: 0, imported: 0, skipped: 0, enqueued: 0 };
  let batch: JobRecord[] = [];
  let lineNumber = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const jobs = batch;
    batch = [];
    await inUnitOfWork(database.db, async (unit) => {
      const inserted = await insertMissingResources(
        unit.tx,
        jobs.map((job) => job.resource),
      );
      const fresh = jobs.filter((job) => inserted.has(job.resource.resourceId));
      await insertRevisions(
        unit.tx,
        fresh.flatMap((job) => job.revisions),
      );
      await insertLogs(
        unit.tx,
        fresh.flatMap((job) => job.logs),
      );
      for (const { resource } of fresh) {
        if (resource.status !== TaskStatus.PENDING) continue;
        await queue.enqueue(unit, {
          model: resource.model,
          resourceId: resource.resourceId,
          attempt: resource.attempt,
          ...(resource.runAt ? { runAt: resource.runAt } : {}),
        });
        result.enqueued++;
      }
      result.imported += fresh.length;
      result.skipped += jobs.length - fresh.length;
    });
  };
  for await (const line of readLines(input)) {
    lineNumber++;
    if (line.trim() === "") continue;
    const job = parseLine(line, lineNumber);
    if (!models.has(job.resource.model)) {
      throw new ValidationError(
        [
          {
            path: [`line ${lineNumber}`, "resource", "model"],
            message: `${job.resource.model} is not a registered model`,
          },
        ],
        "invalid dump",
      );
    }
    batch.push(job);
    result.read++;
    if (batch.length >= IMPORT_BATCH) await flush();
  }
  await flush();
  return result;
}
