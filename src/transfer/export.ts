/** Export: every job of some models, with its history, to an NDJSON stream. */
import { once } from "node:events";
import type { Database } from "../store/database.js";
import { inSnapshot, readLogsOf, readResourceBatch, readRevisionsOf } from "../store/queries/transfer.js";
import { toLine } from "./format.js";

/** Jobs read per batch (one keyset page, then their revisions and logs). */
export const EXPORT_BATCH = 500;

/** Where an export writes: a Node writable stream (`process.stdout`, a file stream). */
export interface ExportSink {
  write(chunk: string): boolean;
  once(event: "drain", listener: () => void): unknown;
}

/**
 * Writes one line per job of `models` (model keys) to `out`, in resource-id order, from
 * one consistent snapshot. Memory stays bounded whatever the number of jobs: jobs are
 * read {@link EXPORT_BATCH} at a time by keyset pagination (`resource_id > last`), each
 * batch's lines are written before the next is read, and a full `out` (write() answering
 * false) is waited for ('drain') before going on. Returns how many jobs were written.
 */
export async function exportJobs(database: Database, models: string[], out: ExportSink): Promise<number> {
  return inSnapshot(database.db, async (tx) => {
    let written = 0;
    let after: string | null = null;
    for (;;) {
      const batch = await readResourceBatch(tx, models, after, EXPORT_BATCH);
      if (batch.length === 0) return written;
      const ids = batch.map((row) => row.resourceId);
      const [revisions, logs] = [await readRevisionsOf(tx, ids), await readLogsOf(tx, ids)];
      const revisionsOf = groupBy(revisions, (r) => r.resourceId);
      const logsOf = groupBy(logs, (l) => l.resourceId);
      for (const resource of batch) {
        const line = toLine({
          resource,
          revisions: revisionsOf.get(resource.resourceId) ?? [],
          logs: logsOf.get(resource.resourceId) ?? [],
        });
        if (!out.write(line)) await once(out as unknown as NodeJS.EventEmitter, "drain");
        written++;
      }
      after = ids.at(-1) ?? null;
    }
  });
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    let group = groups.get(k);
    if (!group) {
      group = [];
      groups.set(k, group);
    }
    group.push(item);
  }
  return groups;
}
