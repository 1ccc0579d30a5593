import type postgres from "postgres";
import type { JobData } from "../../model/job.js";
import type { TaskStatus } from "../../model/task-status.js";
import type { RevisionStatus } from "../../resource/types.js";
import { dataHash } from "../canonical-json.js";
import type { LogLine } from "./job-logs.js";
import { EVENTS_CHANNEL } from "./notify.js";
import { type RevisionRow, revisionIdOf } from "./rows.js";

/** The state a transition expects the job to be in: it applies only if the job still is. */
export interface ExpectedState {
  revisionId: string;
  /** Revision number of `revisionId`. */
  number: number;
  status: TaskStatus;
  attempt: number;
}

/** One state change of a running job (a claim or a finish). */
export interface Transition {
  resourceId: string;
  /** The model's name, carried by the event. */
  modelName: string;
  /** The schema version of the new revision, and of the job after it. */
  schemaVersion: string;
  expect: ExpectedState;
  data: JobData;
  revisionStatus: RevisionStatus;
  user: string;
  /** On whose behalf (the job's creator). */
  createdBy: string;
  now: Date;
  /** The attempt token and lease after the change. */
  attempt: number;
  leasedBy: string | null;
  /** When the job is due, for a PENDING job that waits. */
  runAt: Date | null;
  /** Handler log lines to store with it. */
  logs?: LogLine[];
}

/**
 * Applies the transitions of many jobs in ONE statement (one round trip, and one commit
 * when run on its own): each job's row moves to its new revision only if it is still in
 * the expected state (same current revision, status and attempt token) and, for a claim
 * of a job with a partition key, only if no other job of its partition is PROCESSING and
 * none submitted earlier is PENDING (see queue/partitions.ts); for those that
 * moved, the revision is inserted and the NOTIFY queued. Log lines are stored in any
 * case. Returns, in order, each new revision, or null where the job had moved on (or
 * where the same job came earlier in `transitions`). The statement's text does not
 * depend on how many transitions there are, so PostgreSQL prepares it once.
 */
export async function writeTransitions(
  sql: postgres.Sql | postgres.TransactionSql,
  transitions: Transition[],
): Promise<(RevisionRow | null)[]> {
  const seen = new Set<string>();
  const rows: TransitionRecord[] = [];
  const written: (RevisionRow | null)[] = [];
  const logs: LogRecord[] = [];
  for (const t of transitions) {
    for (const l of t.logs ?? []) logs.push(logRecord(l));
    if (seen.has(t.resourceId)) {
      // Two changes of one job in one statement would insert one revision twice.
      written.push(null);
      continue;
    }
    seen.add(t.resourceId);
    const revision = revisionOf(t);
    written.push(revision);
    rows.push(record(t, revision));
  }
  const moved = await sql<{ resource_id: string }[]>`
    with t as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as t(
        resource_id text, expect_revision_id text, expect_status text, expect_attempt int,
        revision_id text, number int, schema_version text, data jsonb, data_hash text,
        revision_status text, created_by text, updated_by text, at timestamptz, status text,
        retries int, attempt int, leased_by text, run_at timestamptz, event text)
    ), moved as (
      update jobstar.resources as r set
        current_revision_id = t.revision_id, total_revision_count = t.number, data = t.data,
        schema_version = t.schema_version,
        status = t.status, retries = t.retries,
        last_heartbeat_at = case when t.status = 'processing' then now() end,
        attempt = t.attempt, leased_by = t.leased_by, run_at = t.run_at,
        updated_time = t.at, updated_by = t.updated_by
      from t
      -- The ids again as an array: the planner cannot see how few rows t has (it guesses 100
      -- for a function), and without this it may scan the whole table instead of the key.
      where r.resource_id = any(${rows.map((row) => row.resource_id)}::text[])
        and r.resource_id = t.resource_id and r.current_revision_id = t.expect_revision_id
        and r.status = t.expect_status and r.attempt = t.expect_attempt
        -- A claim of a partitioned job: its partition runs nothing and nothing earlier waits.
        and (t.status <> 'processing' or r.partition_key is null or not exists (
          select 1 from jobstar.resources as p
          where p.model = r.model and p.partition_key = r.partition_key and p.resource_id <> r.resource_id
            and not p.is_deleted and (p.status = 'processing' or (p.status = 'pending' and p.seq < r.seq))))
      returning r.resource_id
    ), revision as (
      insert into jobstar.revisions (revision_id, resource_id, number, parent_revision_id, schema_version,
        data, data_hash, status, created_time, created_by, updated_time, updated_by)
      select t.revision_id, t.resource_id, t.number, t.expect_revision_id, t.schema_version,
        t.data, t.data_hash, t.revision_status, t.at, t.created_by, t.at, t.updated_by
      from t join moved using (resource_id)
      returning resource_id
    ), lines as (
      insert into jobstar.job_logs (resource_id, run, time, level, message)
      select resource_id, run, time, level, message
      from jsonb_to_recordset(${JSON.stringify(logs)}::jsonb)
        as l(resource_id text, run int, time timestamptz, level text, message text)
      returning 1
    ), notified as (
      select pg_notify(${EVENTS_CHANNEL}, t.event) from t join moved using (resource_id)
    )
    select resource_id from revision
    where (select count(*) from notified) >= 0 and (select count(*) from lines) >= 0`;
  const applied = new Set(moved.map((row) => row.resource_id));
  return written.map((revision) => (revision && applied.has(revision.resourceId) ? revision : null));
}

/** The revision `t` writes, if it applies. */
function revisionOf(t: Transition): RevisionRow {
  const number = t.expect.number + 1;
  return {
    revisionId: revisionIdOf(t.resourceId, number),
    resourceId: t.resourceId,
    number,
    parentRevisionId: t.expect.revisionId,
    schemaVersion: t.schemaVersion,
    data: t.data,
    dataHash: dataHash(t.data),
    status: t.revisionStatus,
    createdTime: t.now,
    createdBy: t.createdBy,
    updatedTime: t.now,
    updatedBy: t.user,
  };
}

type TransitionRecord = ReturnType<typeof record>;

function record(t: Transition, revision: RevisionRow) {
  return {
    resource_id: t.resourceId,
    expect_revision_id: t.expect.revisionId,
    expect_status: t.expect.status,
    expect_attempt: t.expect.attempt,
    revision_id: revision.revisionId,
    number: revision.number,
    schema_version: t.schemaVersion,
    data: t.data,
    data_hash: revision.dataHash,
    revision_status: t.revisionStatus,
    created_by: t.createdBy,
    updated_by: t.user,
    at: t.now,
    status: t.data.status,
    retries: t.data.retries,
    attempt: t.attempt,
    leased_by: t.leasedBy,
    run_at: t.runAt,
    event: JSON.stringify({
      model: t.modelName,
      resourceId: t.resourceId,
      revisionId: revision.revisionId,
      status: t.data.status,
      at: Date.now(),
    }),
  };
}

type LogRecord = ReturnType<typeof logRecord>;

function logRecord(l: LogLine) {
  return { resource_id: l.resourceId, run: l.run, time: l.time, level: l.level, message: l.message };
}
