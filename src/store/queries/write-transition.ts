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
 * Applies `t` in ONE statement (so one round trip, and one commit when run on its own):
 * the resource row moves to the new revision only if it is still in the expected state
 * (same current revision, status and attempt token), the revision is inserted, the log
 * lines stored and the NOTIFY queued. Returns the new revision, or null when the job had
 * moved on (the guard failed: nothing but the log lines is written).
 */
export async function writeTransition(
  sql: postgres.Sql | postgres.TransactionSql,
  t: Transition,
): Promise<RevisionRow | null> {
  const number = t.expect.number + 1;
  const revisionId = revisionIdOf(t.resourceId, number);
  const data = JSON.stringify(t.data);
  const hash = dataHash(t.data);
  const now = t.now.toISOString();
  const event = JSON.stringify({
    model: t.modelName,
    resourceId: t.resourceId,
    revisionId,
    status: t.data.status,
    at: Date.now(),
  });
  const logs = JSON.stringify(
    (t.logs ?? []).map((l) => ({
      resource_id: l.resourceId,
      run: l.run,
      time: l.time,
      level: l.level,
      message: l.message,
    })),
  );
  const [row] = await sql<{ moved: number }[]>`
    with moved as (
      update jobstar.resources set
        current_revision_id = ${revisionId}, total_revision_count = ${number}, data = ${data}::jsonb,
        status = ${t.data.status}, retries = ${t.data.retries},
        last_heartbeat_at = case when ${t.data.status} = 'processing' then now() end,
        attempt = ${t.attempt}, leased_by = ${t.leasedBy}, run_at = ${t.runAt?.toISOString() ?? null}::timestamptz,
        updated_time = ${now}::timestamptz, updated_by = ${t.user}
      where resource_id = ${t.resourceId} and current_revision_id = ${t.expect.revisionId}
        and status = ${t.expect.status} and attempt = ${t.expect.attempt}
      returning resource_id
    ), revision as (
      insert into jobstar.revisions (revision_id, resource_id, number, parent_revision_id, schema_version,
        data, data_hash, status, created_time, created_by, updated_time, updated_by)
      select ${revisionId}, resource_id, ${number}, ${t.expect.revisionId}, ${t.schemaVersion},
        ${data}::jsonb, ${hash}, ${t.revisionStatus}, ${now}::timestamptz, ${t.createdBy}, ${now}::timestamptz, ${t.user}
      from moved
      returning 1
    ), lines as (
      insert into jobstar.job_logs (resource_id, run, time, level, message)
      select resource_id, run, time, level, message
      from json_to_recordset(${logs}::json) as l(resource_id text, run int, time timestamptz, level text, message text)
      returning 1
    ), notified as (
      select pg_notify(${EVENTS_CHANNEL}, ${event}) from moved
    )
    select (select count(*) from revision)::int as moved, (select count(*) from notified) as n,
           (select count(*) from lines) as l`;
  if (!row || row.moved === 0) return null;
  return {
    revisionId,
    resourceId: t.resourceId,
    number,
    parentRevisionId: t.expect.revisionId,
    schemaVersion: t.schemaVersion,
    data: t.data,
    dataHash: hash,
    status: t.revisionStatus,
    createdTime: t.now,
    createdBy: t.createdBy,
    updatedTime: t.now,
    updatedBy: t.user,
  };
}

/** What a claim reads of a job before it writes. */
export interface ClaimableRow {
  resourceId: string;
  currentRevisionId: string;
  number: number;
  schemaVersion: string;
  data: JobData;
  status: TaskStatus;
  attempt: number;
  leasedBy: string | null;
  isDeleted: boolean;
  createdBy: string;
}

/** The job as a claim needs it, or null. One statement, no lock: the write's guard decides. */
export async function readClaimable(
  sql: postgres.Sql,
  model: string,
  resourceId: string,
): Promise<ClaimableRow | null> {
  const [row] = await sql<
    {
      current_revision_id: string;
      total_revision_count: number;
      schema_version: string;
      data: JobData;
      status: TaskStatus;
      attempt: number;
      leased_by: string | null;
      is_deleted: boolean;
      created_by: string;
    }[]
  >`
    select current_revision_id, total_revision_count, schema_version, data, status, attempt, leased_by,
      is_deleted, created_by
    from jobstar.resources where resource_id = ${resourceId} and model = ${model}`;
  if (!row) return null;
  return {
    resourceId,
    currentRevisionId: row.current_revision_id,
    number: row.total_revision_count,
    schemaVersion: row.schema_version,
    data: row.data,
    status: row.status,
    attempt: row.attempt,
    leasedBy: row.leased_by,
    isDeleted: row.is_deleted,
    createdBy: row.created_by,
  };
}
