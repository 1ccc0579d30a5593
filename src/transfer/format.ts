/**
 * The dump format of export and import: NDJSON, one line per job holding its resource
 * row, every revision and every log line, times as ISO 8601 strings.
 */
import { z } from "zod";
import { ValidationError } from "../errors.js";
import type { JobData } from "../model/job.js";
import type { ResourceRow, RevisionRow } from "../store/queries/rows.js";
import type { LogRow } from "../store/queries/transfer.js";

/** The `kind` of a job line. */
export const JOB_LINE_KIND = "jobstar.job";
/** The format's version; a reader refuses lines of another. */
export const FORMAT_VERSION = 1;

const time = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const nullableTime = time.nullable();
const data = z.record(z.string(), z.unknown()).transform((value) => value as unknown as JobData);

const resource = z.object({
  resourceId: z.string(),
  model: z.string(),
  currentRevisionId: z.string(),
  totalRevisionCount: z.number().int(),
  schemaVersion: z.string(),
  data,
  status: z.string(),
  retries: z.number().int(),
  partitionKey: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  lastHeartbeatAt: nullableTime,
  attempt: z.number().int(),
  leasedBy: z.string().nullable(),
  runAt: nullableTime,
  isDeleted: z.boolean(),
  createdTime: time,
  createdBy: z.string(),
  updatedTime: time,
  updatedBy: z.string(),
});

const revision = z.object({
  revisionId: z.string(),
  resourceId: z.string(),
  number: z.number().int(),
  parentRevisionId: z.string().nullable(),
  schemaVersion: z.string(),
  data,
  dataHash: z.string(),
  status: z.enum(["draft", "stable"]),
  createdTime: time,
  createdBy: z.string(),
  updatedTime: time,
  updatedBy: z.string(),
});

const log = z.object({ run: z.number().int(), time, level: z.string(), message: z.string() });

const jobLine = z.object({
  kind: z.literal(JOB_LINE_KIND),
  version: z.literal(FORMAT_VERSION),
  resource,
  revisions: z.array(revision),
  logs: z.array(log),
});

/** One job as a dump holds it (without `seq`: a database's own submission order). */
export interface JobRecord {
  resource: Omit<ResourceRow, "seq">;
  revisions: RevisionRow[];
  logs: LogRow[];
}

/** A job as one line of the dump (with its newline). */
export function toLine(job: JobRecord): string {
  return `${JSON.stringify({
    kind: JOB_LINE_KIND,
    version: FORMAT_VERSION,
    resource: withoutSeq(job.resource),
    revisions: job.revisions,
    logs: job.logs.map(({ run, time, level, message }) => ({ run, time, level, message })),
  })}\n`;
}

function withoutSeq(row: Omit<ResourceRow, "seq"> & { seq?: number }): Omit<ResourceRow, "seq"> {
  const { seq: _seq, ...rest } = row;
  return rest;
}

/** Parses line `lineNumber` of a dump; a bad line is a {@link ValidationError} naming the line and field. */
export function parseLine(text: string, lineNumber: number): JobRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError([{ path: [`line ${lineNumber}`], message: "is not JSON" }], "invalid dump");
  }
  const result = jobLine.safeParse(value);
  if (!result.success) {
    throw new ValidationError(
      result.error.issues.map((issue) => ({
        path: [`line ${lineNumber}`, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
        message: issue.message,
      })),
      "invalid dump",
    );
  }
  const { resource: row, revisions, logs } = result.data;
  for (const r of revisions) {
    if (r.resourceId !== row.resourceId) {
      throw new ValidationError(
        [
          {
            path: [`line ${lineNumber}`, "revisions"],
            message: `holds a revision of another job (${r.resourceId})`,
          },
        ],
        "invalid dump",
      );
    }
  }
  return { resource: row, revisions, logs: logs.map((l) => ({ ...l, resourceId: row.resourceId })) };
}
