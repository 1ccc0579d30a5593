CREATE SCHEMA IF NOT EXISTS "jobstar";
--> statement-breakpoint
CREATE TABLE "jobstar"."job_logs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"resource_id" text NOT NULL,
	"run" integer NOT NULL,
	"time" timestamp with time zone DEFAULT now() NOT NULL,
	"level" text NOT NULL,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobstar"."resources" (
	"resource_id" text PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"current_revision_id" text NOT NULL,
	"total_revision_count" integer NOT NULL,
	"schema_version" text NOT NULL,
	"data" jsonb NOT NULL,
	"status" text NOT NULL,
	"retries" integer NOT NULL,
	"partition_key" text,
	"idempotency_key" text,
	"last_heartbeat_at" timestamp with time zone,
	"is_deleted" boolean DEFAULT false NOT NULL,
	"created_time" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"updated_time" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobstar"."revisions" (
	"revision_id" text PRIMARY KEY NOT NULL,
	"resource_id" text NOT NULL,
	"number" integer NOT NULL,
	"parent_revision_id" text,
	"schema_version" text NOT NULL,
	"data" jsonb NOT NULL,
	"data_hash" text NOT NULL,
	"status" text NOT NULL,
	"created_time" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"updated_time" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "jobstar"."job_logs" ADD CONSTRAINT "job_logs_resource_id_resources_resource_id_fk" FOREIGN KEY ("resource_id") REFERENCES "jobstar"."resources"("resource_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobstar"."revisions" ADD CONSTRAINT "revisions_resource_id_resources_resource_id_fk" FOREIGN KEY ("resource_id") REFERENCES "jobstar"."resources"("resource_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_logs_resource_idx" ON "jobstar"."job_logs" USING btree ("resource_id","id");--> statement-breakpoint
CREATE INDEX "resources_model_status_idx" ON "jobstar"."resources" USING btree ("model","status");--> statement-breakpoint
CREATE INDEX "resources_model_created_idx" ON "jobstar"."resources" USING btree ("model","created_time","resource_id");--> statement-breakpoint
CREATE INDEX "resources_model_updated_idx" ON "jobstar"."resources" USING btree ("model","updated_time","resource_id");--> statement-breakpoint
CREATE INDEX "resources_partition_key_idx" ON "jobstar"."resources" USING btree ("model","partition_key");--> statement-breakpoint
CREATE UNIQUE INDEX "resources_model_idempotency_key_idx" ON "jobstar"."resources" USING btree ("model","idempotency_key") WHERE "jobstar"."resources"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "resources_processing_heartbeat_idx" ON "jobstar"."resources" USING btree ("last_heartbeat_at") WHERE "jobstar"."resources"."status" = 'processing';--> statement-breakpoint
CREATE UNIQUE INDEX "revisions_resource_number_idx" ON "jobstar"."revisions" USING btree ("resource_id","number");