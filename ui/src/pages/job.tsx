// /ui/jobs/<id>: a job's payload, artifact, status and options, its revision history
// with what changed, its logs, and Rerun / Cancel; all live while the job moves.
import { useMemo, useState } from "react";
import { errorMessage } from "../client.ts";
import { ConfirmDialog, Field, JsonView, StatusBadge, Time } from "../components.tsx";
import { diff, short } from "../diff.ts";
import { type JobDetail, jobAction, jobDetail, type Revision } from "../dynamic.ts";
import { useAction, useInterval, useLive, useOnConnected, useOperation, useTitle } from "../hooks.ts";
import { type Model, useApi } from "../models.tsx";
import { JobStatusSubscription } from "../operations.ts";
import { Link } from "../router.tsx";

type Action = "rerun" | "cancel";

/** Whether the viewer may `action` this job: the server's word if it gives one, else the status. */
export function allowed(job: JobDetail, action: Action): boolean {
  if (action === "cancel") {
    if (typeof job.viewerCanCancel === "boolean") return job.viewerCanCancel;
    return job.status === "PENDING" || job.status === "PROCESSING";
  }
  if (typeof job.viewerCanRerun === "boolean") return job.viewerCanRerun;
  return job.status === "COMPLETED" || job.status === "FAILED" || job.status === "CANCELLED";
}

export function JobPage({ id, model }: { id: string; model: Model }) {
  // A rerun starts a new life: a new subscription (the old one ended at the terminal state).
  const [generation, setGeneration] = useState(0);
  return <JobView key={generation} id={id} model={model} onRestart={() => setGeneration((g) => g + 1)} />;
}

function JobView({ id, model, onRestart }: { id: string; model: Model; onRestart: () => void }) {
  const api = useApi();
  const detail = useMemo(() => jobDetail(api, model), [api, model]);
  const variables = useMemo(() => ({ id }), [id]);
  const [state, refetch] = useOperation(detail, variables);
  useLive(JobStatusSubscription, variables, refetch);
  useOnConnected(refetch);
  useTitle(`${model.name} ${id.slice(id.indexOf(":") + 1, id.indexOf(":") + 9)}`);
  const job = state.data?.job ?? null;
  // Logs and heartbeats change without a new revision: poll them while the job runs.
  useInterval(refetch, 1000, job?.status === "PROCESSING");

  const [confirm, setConfirm] = useState<Action | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [rerunState, rerun] = useAction(useMemo(() => jobAction(model, "rerun"), [model]));
  const [cancelState, cancel] = useAction(useMemo(() => jobAction(model, "cancel"), [model]));

  const act = async (action: Action) => {
    setConfirm(null);
    setMessage(null);
    const result = await (action === "rerun" ? rerun : cancel)({ id });
    if (result.error) setMessage(errorMessage(result.error));
    else if (action === "rerun") onRestart();
    else refetch();
  };

  if (state.error && !job) return <p role="alert">{errorMessage(state.error)}</p>;
  if (!job) return <p className="muted">Loading…</p>;
  const revisions = job.revisions.edges.map((edge) => edge.node);
  const logs = job.logs.edges.map((edge) => edge.node);
  const busy = rerunState.fetching || cancelState.fetching;

  return (
    <article aria-labelledby="job-title" data-job-id={job.id}>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Overview</Link> / <Link to={`/models/${model.name}`}>{model.name}</Link>
      </nav>
      <header className="page-header">
        <h1 id="job-title" className="job-title">
          <span className="mono">{job.id}</span> {/* Announced when it changes: the page is live. */}
          <span role="status">
            <StatusBadge status={job.status} />
          </span>
        </h1>
        <div className="actions">
          {allowed(job, "cancel") && (
            <button type="button" className="danger" disabled={busy} onClick={() => setConfirm("cancel")}>
              Cancel
            </button>
          )}
          {allowed(job, "rerun") && (
            <button type="button" className="primary" disabled={busy} onClick={() => setConfirm("rerun")}>
              Rerun
            </button>
          )}
        </div>
      </header>
      {message && (
        <p role="alert" className="error-banner">
          {message}
        </p>
      )}
      <ConfirmDialog
        open={confirm !== null}
        title={confirm === "cancel" ? "Cancel this job?" : "Run this job again?"}
        confirmLabel={confirm === "cancel" ? "Cancel job" : "Rerun job"}
        onConfirm={() => confirm && act(confirm)}
        onCancel={() => setConfirm(null)}
      >
        <p className="mono">{job.id}</p>
        <p>
          {confirm === "cancel"
            ? "A pending job will not run; a running one is asked to stop."
            : "It goes back to PENDING and runs again; its history is kept."}
        </p>
      </ConfirmDialog>

      <div className="grid">
        <section aria-labelledby="state-title" className="panel">
          <h2 id="state-title">State</h2>
          <dl>
            <Field label="Status">
              <StatusBadge status={job.status} />
            </Field>
            <Field label="Error">{job.errmsg ? <span className="errmsg">{job.errmsg}</span> : "—"}</Field>
            <Field label="Retries">
              {job.retries} of {job.maxRetries ?? "default"}
            </Field>
            <Field label="Heartbeat">
              <Time value={job.lastHeartbeatAt} />
            </Field>
            <Field label="Created">
              <Time value={job.meta.createdTime} /> by {job.meta.createdBy}
            </Field>
            <Field label="Updated">
              <Time value={job.info.updatedTime} /> by {job.info.updatedBy}
            </Field>
            <Field label="Partition key">{job.partitionKey ?? "—"}</Field>
            <Field label="Idempotency key">{job.idempotencyKey ?? "—"}</Field>
            <Field label="Periodic">
              {job.periodicIntervalSeconds
                ? `every ${job.periodicIntervalSeconds}s, run ${job.periodicRuns}${job.periodicMaxRuns ? ` of ${job.periodicMaxRuns}` : ""}`
                : "no"}
              {job.periodicInitialDelaySeconds ? `, first after ${job.periodicInitialDelaySeconds}s` : ""}
            </Field>
            <Field label="Revision">
              {job.info.revisionId.slice(job.info.revisionId.lastIndexOf(":") + 1)} of{" "}
              {job.meta.totalRevisionCount} ({job.info.status})
            </Field>
          </dl>
        </section>
        <section aria-labelledby="payload-title" className="panel">
          <h2 id="payload-title">Payload</h2>
          <JsonView value={job.payload} />
          <h2>Artifact</h2>
          <JsonView value={job.artifact} />
        </section>
      </div>

      <section aria-labelledby="history-title" className="panel">
        <h2 id="history-title">History</h2>
        {job.revisions.pageInfo.hasPreviousPage && (
          <p className="muted">
            The last {revisions.length} of {job.revisions.totalCount} revisions.
          </p>
        )}
        <ol className="timeline">
          {revisions.map((revision, i) => (
            <RevisionItem key={revision.revisionId} revision={revision} previous={revisions[i - 1]} />
          ))}
        </ol>
      </section>

      <section aria-labelledby="logs-title" className="panel">
        <h2 id="logs-title">Logs</h2>
        {logs.length === 0 ? (
          <p className="muted">No log lines.</p>
        ) : (
          <ol className="logs" aria-live="polite">
            {logs.map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: log lines have no id; they only grow
              <li key={i} className={`log-${line.level}`}>
                <Time value={line.time} /> <span className="log-run">run {line.run}</span>{" "}
                <span className="log-level">{line.level}</span>{" "}
                <span className="log-message">{line.message}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
}

const STATE_KEYS = [
  "status",
  "errmsg",
  "retries",
  "maxRetries",
  "partitionKey",
  "periodicRuns",
  "payload",
  "artifact",
] as const;

function RevisionItem({ revision, previous }: { revision: Revision; previous: Revision | undefined }) {
  const pick = (r: Revision | undefined) =>
    r ? Object.fromEntries(STATE_KEYS.map((key) => [key, r[key]])) : undefined;
  const changes = previous ? diff(pick(previous), pick(revision)) : [];
  const number = revision.revisionId.slice(revision.revisionId.lastIndexOf(":") + 1);
  return (
    <li data-revision={number}>
      <div className="timeline-head">
        <strong>#{number}</strong> <StatusBadge status={revision.status} />{" "}
        <Time value={revision.info.createdTime} /> by <span className="who">{revision.info.updatedBy}</span>
        {revision.info.status === "draft" && <span className="muted"> (draft)</span>}
      </div>
      {previous ? (
        changes.length > 0 && (
          <ul className="changes">
            {changes.map((change) => (
              <li key={change.path}>
                <code>{change.path}</code>: {short(change.before)} → {short(change.after)}
              </li>
            ))}
          </ul>
        )
      ) : (
        <p className="muted">Submitted.</p>
      )}
    </li>
  );
}
