import type postgres from "postgres";
import type { JobData } from "../../model/job.js";
import { dataHash } from "../canonical-json.js";
import { EVENTS_CHANNEL } from "./notify.js";
import { type RevisionRow, revisionIdOf } from "./rows.js";

/** A new job resource. */
export interface JobInsert {
  resourceId: string;
  /** The model's key (`training-job`), stored in `resources.model`. */
  model: string;
  /** The model's name (`TrainingJob`), carried by the event. */
  modelName: string;
  schemaVersion: string;
  data: JobData;
  user: string;
  now: Date;
  /** When the job is first due (an initial delay); null: now. */
  runAt: Date | null;
}

/** What became of one insert: its first revision, or the job that already holds its idempotency key. */
export type InsertResult = { created: true; revision: RevisionRow } | { created: false; holder: string };

/**
 * Inserts jobs in ONE statement: their resource rows, first (stable) revisions and
 * NOTIFYs. A job whose idempotency key another job of its model already holds (or an
 * earlier one of `jobs`) is not written; its result names the holder. The statement's
 * text does not depend on how many jobs there are, so PostgreSQL prepares it once.
 */
export async function insertJobs(
  sql: postgres.Sql | postgres.TransactionSql,
  jobs: JobInsert[],
): Promise<InsertResult[]> {
  const revisions = jobs.map(firstRevision);
  const records = jobs.map((job, i) => record(job, revisions[i] as RevisionRow, i));
  const inserted = await sql<{ resource_id: string }[]>`
    with j as (
      select *, resource_id || ':1' as revision_id
      from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as j(
        resource_id text, model text, model_name text, schema_version text, data jsonb, data_hash text,
        status text, retries int, partition_key text, idempotency_key text, run_at timestamptz,
        at timestamptz, by text, ord int)
    ), inserted as (
      insert into jobstar.resources (resource_id, model, current_revision_id, total_revision_count,
        schema_version, data, status, retries, partition_key, idempotency_key, run_at,
        created_time, created_by, updated_time, updated_by)
      select resource_id, model, revision_id, 1, schema_version, data, status, retries, partition_key,
        idempotency_key, run_at, at, by, at, by
      from j order by ord
      on conflict (model, idempotency_key) where idempotency_key is not null do nothing
      returning resource_id
    ), revision as (
      insert into jobstar.revisions (revision_id, resource_id, number, parent_revision_id, schema_version,
        data, data_hash, status, created_time, created_by, updated_time, updated_by)
      select j.revision_id, j.resource_id, 1, null, j.schema_version, j.data, j.data_hash, 'stable',
        j.at, j.by, j.at, j.by
      from j join inserted using (resource_id)
      returning resource_id
    ), notified as (
      select pg_notify(${EVENTS_CHANNEL}, json_build_object('model', j.model_name, 'resourceId', j.resource_id,
        'revisionId', j.revision_id, 'status', j.status, 'at', ${Date.now()}::bigint)::text)
      from j join inserted using (resource_id)
    )
    select resource_id from revision where (select count(*) from notified) >= 0`;
  const created = new Set(inserted.map((row) => row.resource_id));
  const skipped = jobs.filter((job) => !created.has(job.resourceId));
  const holders = skipped.length > 0 ? await findHolders(sql, skipped) : new Map<string, string>();
  return jobs.map((job, i) => {
    if (created.has(job.resourceId)) return { created: true, revision: revisions[i] as RevisionRow };
    const holder = holders.get(holderKey(job.model, job.data.idempotencyKey ?? ""));
    if (!holder)
      throw new Error(`idempotency conflict without a holder: ${job.model} ${job.data.idempotencyKey}`);
    return { created: false, holder };
  });
}

/** The jobs holding the idempotency keys of `jobs`, by model and key. */
async function findHolders(
  sql: postgres.Sql | postgres.TransactionSql,
  jobs: JobInsert[],
): Promise<Map<string, string>> {
  const keys = JSON.stringify(jobs.map((job) => ({ model: job.model, key: job.data.idempotencyKey })));
  const rows = await sql<{ model: string; idempotency_key: string; resource_id: string }[]>`
    select r.model, r.idempotency_key, r.resource_id
    from jobstar.resources as r
    join jsonb_to_recordset(${keys}::jsonb) as k(model text, key text)
      on r.model = k.model and r.idempotency_key = k.key`;
  return new Map(rows.map((row) => [holderKey(row.model, row.idempotency_key), row.resource_id]));
}

function holderKey(model: string, key: string): string {
  return JSON.stringify([model, key]);
}

function firstRevision(job: JobInsert): RevisionRow {
  return {
    revisionId: revisionIdOf(job.resourceId, 1),
    resourceId: job.resourceId,
    number: 1,
    parentRevisionId: null,
    schemaVersion: job.schemaVersion,
    data: job.data,
    dataHash: dataHash(job.data),
    status: "stable",
    createdTime: job.now,
    createdBy: job.user,
    updatedTime: job.now,
    updatedBy: job.user,
  };
}

function record(job: JobInsert, revision: RevisionRow, ord: number) {
  return {
    ord,
    resource_id: job.resourceId,
    model: job.model,
    model_name: job.modelName,
    schema_version: job.schemaVersion,
    data: job.data,
    data_hash: revision.dataHash,
    status: job.data.status,
    retries: job.data.retries,
    partition_key: job.data.partitionKey,
    idempotency_key: job.data.idempotencyKey,
    run_at: job.runAt,
    at: job.now,
    by: job.user,
  };
}
