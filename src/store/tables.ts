import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { JobData } from "../model/job.js";

/** All of jobstar's tables live in this schema; graphile-worker keeps its own. */
export const jobstar = pgSchema("jobstar");

const time = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** One row per job: its current revision's data plus indexed job columns for listing. */
export const resources = jobstar.table(
  "resources",
  {
    resourceId: text("resource_id").primaryKey(),
    model: text("model").notNull(),
    currentRevisionId: text("current_revision_id").notNull(),
    totalRevisionCount: integer("total_revision_count").notNull(),
    schemaVersion: text("schema_version").notNull(),
    data: jsonb("data").$type<JobData>().notNull(),
    status: text("status").notNull(),
    retries: integer("retries").notNull(),
    partitionKey: text("partition_key"),
    idempotencyKey: text("idempotency_key"),
    lastHeartbeatAt: time("last_heartbeat_at"),
    /**
     * The attempt token: how many times the job was claimed, bumped again by a cancel.
     * A queue entry carries the token of the PENDING state it was made for, and a claim,
     * heartbeat, finish or recovery acts only while the token (and status) still match:
     * the row, not the queue, decides who runs the job now.
     */
    attempt: integer("attempt").notNull().default(0),
    /** The worker process running the attempt (PROCESSING only). */
    leasedBy: text("leased_by"),
    /** When the PENDING job is due (null: now); what an in-process queue re-reads at start. */
    runAt: time("run_at"),
    /**
     * Submission order, across processes: a partition's jobs start in this order (jobs of
     * one create share their `created_time`).
     */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    isDeleted: boolean("is_deleted").notNull().default(false),
    createdTime: time("created_time").notNull(),
    createdBy: text("created_by").notNull(),
    updatedTime: time("updated_time").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [
    index("resources_model_status_idx").on(t.model, t.status),
    index("resources_model_created_idx").on(t.model, t.createdTime, t.resourceId),
    index("resources_model_updated_idx").on(t.model, t.updatedTime, t.resourceId),
    // Only jobs with a key: most have none, and every write of a row writes each index it is in.
    index("resources_partition_key_idx")
      .on(t.model, t.partitionKey)
      .where(sql`${t.partitionKey} is not null`),
    uniqueIndex("resources_model_idempotency_key_idx")
      .on(t.model, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    // A partition runs one job at a time: two PROCESSING jobs of one key cannot both be written.
    uniqueIndex("resources_partition_running_idx")
      .on(t.model, t.partitionKey)
      .where(sql`${t.status} = 'processing' and ${t.partitionKey} is not null`),
    // A partition's next job: its PENDING jobs in submission order.
    index("resources_partition_pending_idx")
      .on(t.model, t.partitionKey, t.seq)
      .where(sql`${t.status} = 'pending' and ${t.partitionKey} is not null`),
    index("resources_processing_heartbeat_idx").on(t.lastHeartbeatAt).where(sql`${t.status} = 'processing'`),
  ],
);

/**
 * Live worker processes (one row per queue consumer, e.g. a graphile-worker pool), each
 * touched every heartbeat. A queue lock held by an id missing here, or seen too long
 * ago, belongs to a dead or paused process and is released by any live one.
 */
export const workers = jobstar.table("workers", {
  id: text("id").primaryKey(),
  hostname: text("hostname").notNull(),
  pid: integer("pid").notNull(),
  startedAt: time("started_at").notNull().defaultNow(),
  lastSeenAt: time("last_seen_at").notNull().defaultNow(),
});

/** Every version of every job: the audit log. */
export const revisions = jobstar.table(
  "revisions",
  {
    revisionId: text("revision_id").primaryKey(),
    resourceId: text("resource_id")
      .notNull()
      .references(() => resources.resourceId, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    parentRevisionId: text("parent_revision_id"),
    schemaVersion: text("schema_version").notNull(),
    data: jsonb("data").$type<JobData>().notNull(),
    dataHash: text("data_hash").notNull(),
    status: text("status").$type<"draft" | "stable">().notNull(),
    createdTime: time("created_time").notNull(),
    createdBy: text("created_by").notNull(),
    updatedTime: time("updated_time").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [uniqueIndex("revisions_resource_number_idx").on(t.resourceId, t.number)],
);

/** Lines a handler logged, per run. */
export const jobLogs = jobstar.table(
  "job_logs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    resourceId: text("resource_id")
      .notNull()
      .references(() => resources.resourceId, { onDelete: "cascade" }),
    run: integer("run").notNull(),
    time: time("time").notNull().defaultNow(),
    level: text("level").notNull(),
    message: text("message").notNull(),
  },
  (t) => [index("job_logs_resource_idx").on(t.resourceId, t.id)],
);

/**
 * Messages for a broker that cannot join a PostgreSQL transaction (RabbitMQ, Celery): a
 * row is written in the job's own transaction, and a relay publishes it once it is due,
 * then deletes it. `queue` names the queue that owns the row (its kind and name prefix),
 * so queues of different brokers can share one database.
 */
export const outbox = jobstar.table(
  "outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    queue: text("queue").notNull(),
    model: text("model").notNull(),
    resourceId: text("resource_id").notNull(),
    attempt: integer("attempt").notNull(),
    /** Published no earlier than this. */
    runAt: time("run_at").notNull().defaultNow(),
    createdAt: time("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("outbox_queue_run_at_idx").on(t.queue, t.runAt),
    index("outbox_resource_idx").on(t.resourceId),
  ],
);
