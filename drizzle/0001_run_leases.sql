CREATE TABLE "jobstar"."workers" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "jobstar"."resources" ADD COLUMN "attempt" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "jobstar"."resources" ADD COLUMN "leased_by" text;--> statement-breakpoint
ALTER TABLE "jobstar"."resources" ADD COLUMN "run_at" timestamp with time zone;