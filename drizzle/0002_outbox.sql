CREATE TABLE "jobstar"."outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"queue" text NOT NULL,
	"model" text NOT NULL,
	"resource_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "outbox_queue_run_at_idx" ON "jobstar"."outbox" USING btree ("queue","run_at");--> statement-breakpoint
CREATE INDEX "outbox_resource_idx" ON "jobstar"."outbox" USING btree ("resource_id");