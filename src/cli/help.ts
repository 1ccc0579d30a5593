/** The CLI's help texts, one per command. */
export const HELP: Record<string, string> = {
  main: `Usage: jobstar <command> [options]

Background jobs as versioned resources on PostgreSQL.

Commands:
  serve          the GraphQL API (and a worker, unless --no-worker)
  worker         consume jobs of the models that have a handler
  migrate        apply jobstar's and graphile-worker's migrations, then exit
  print-schema   print the models' GraphQL schema
  export         write every job (with revisions and logs) to stdout as NDJSON
  import         load jobs written by export from stdin
  migrate-jobs   migrate stored jobs to their models' schema versions

Run "jobstar <command> --help" for a command's options.

Environment:
  DATABASE_URL   PostgreSQL URL (default: an embedded PostgreSQL in ./.jobstar/)
  LOG_LEVEL      trace, debug, info (default), warn, error, fatal or silent
  JOBSTAR_QUEUE  graphile (default), simple, rabbitmq (AMQP_URL) or celery
                 (CELERY_BROKER_URL, amqp:// or redis://), unless --models picks one
Exit codes: 0 done (or stopped by SIGINT/SIGTERM), 1 failed, 2 bad usage.`,

  serve: `Usage: jobstar serve --models <module> [options]

Serves the GraphQL API (HTTP, SSE and graphql-ws on /graphql, GraphiQL in a
browser, /health, /ready, /metrics) and, unless --no-worker, consumes jobs too.

Options:
  --models <module>     module whose default export registers the models:
                        export default (spec) => { spec.addModel(...) }
                        It may also export "server": options of createServer
                        (e.g. user). .ts modules need tsx installed.
  --port <n>            port (env PORT, default 4000; 0 picks a free one)
  --host <address>      interface (env HOST, default 127.0.0.1)
  --no-worker           API only (env WORKER=0)
  --concurrency <n>     jobs run at once per model (env CONCURRENCY, default 4)
  --grace <seconds>     on SIGINT/SIGTERM, how long running jobs may finish (default 30)
  -h, --help            this help`,

  worker: `Usage: jobstar worker --models <module> [options]

Consumes jobs of every registered model that has a handler, until SIGINT/SIGTERM.

Options:
  --models <module>     module whose default export registers the models (see serve --help)
  --concurrency <n>     jobs run at once per model (env CONCURRENCY, default 4)
  --grace <seconds>     on SIGINT/SIGTERM, how long running jobs may finish (default 30)
  -h, --help            this help`,

  migrate: `Usage: jobstar migrate

Applies jobstar's migrations (schema "jobstar") and graphile-worker's (schema
"graphile_worker") to DATABASE_URL, then exits. Safe to run from several
processes at once. serve and worker also migrate on start-up.

Options:
  -h, --help            this help`,

  "print-schema": `Usage: jobstar print-schema --models <module>

Prints the GraphQL schema (SDL) of the registered models to stdout. Needs no database.

Options:
  --models <module>     module whose default export registers the models (see serve --help)
  -h, --help            this help`,

  export: `Usage: jobstar export --models <module> [--model <name>]... > dump.ndjson

Writes every job of the registered models to stdout, one JSON line per job with
its resource, every revision and every log line, from one consistent snapshot.
Logs go to stderr.

Options:
  --models <module>     module whose default export registers the models (see serve --help)
  --model <name>        only this model (its class name or key); may repeat
  -h, --help            this help`,

  import: `Usage: jobstar import --models <module> < dump.ndjson

Loads a dump made by export from stdin. Jobs already in the database are left
as they are (importing twice changes nothing); finished jobs never run again;
pending ones are enqueued. Every job's model must be registered.

Options:
  --models <module>     module whose default export registers the models (see serve --help)
  -h, --help            this help`,

  "migrate-jobs": `Usage: jobstar migrate-jobs --models <module> [--model <name>]...

Migrates the stored jobs of the registered models that are at an older schema
version (new Schema(Model, "v2").step("v1", fn)) to the current one, in batches
of 500, each recorded as a revision by jobstar:migration. Running jobs are left
for their next claim; a pending job that cannot be migrated fails with the reason.
Without this, jobs are migrated when next claimed (readers see them migrated).

Options:
  --models <module>     module whose default export registers the models (see serve --help)
  --model <name>        only this model (its class name or key); may repeat
  -h, --help            this help`,
};
