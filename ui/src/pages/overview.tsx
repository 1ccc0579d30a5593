// /ui: per model, counts by status, jobs per minute over the last hour and the newest
// failures; refreshed when any job changes.
import { useEffect, useMemo, useState } from "react";
import { type CombinedError, useClient } from "urql";
import { Sparkbars, StatusBadge, Time } from "../components.tsx";
import { modelEvents, type Operation, overview, STATUSES } from "../dynamic.ts";
import { useDebounced, useInterval, useLive, useOnConnected, useTitle } from "../hooks.ts";
import { type Model, useApi } from "../models.tsx";
import { jobPath, Link } from "../router.tsx";

export function Overview() {
  const api = useApi();
  // The chart's last minute: a new minute is a new query (its buckets move).
  const [minute, setMinute] = useState(() => nextMinute());
  const { operations, read } = useMemo(() => overview(api.models, new Date(minute)), [api.models, minute]);
  const [state, refetch] = useMerged(operations);
  // Counting every model's jobs is the costliest query the UI makes: at most one every 2 s.
  const refresh = useDebounced(() => {
    if (nextMinute() !== minute) setMinute(nextMinute());
    else refetch();
  }, 2000);
  useOnConnected(refresh);
  useTitle("Overview");
  // The chart's minutes move on even when nothing happens.
  useInterval(() => setMinute(nextMinute()), 10_000, true);
  const summaries = state.data ? read(state.data) : null;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {api.models.map((model) => (
        <Watch key={model.name} model={model} onChange={refresh} />
      ))}
      {state.error && !summaries && <p role="alert">{state.error.message}</p>}
      <div className="cards">
        {api.models.map((model, i) => {
          const summary = summaries?.[i];
          return (
            <article
              className="card"
              key={model.name}
              data-model={model.name}
              aria-labelledby={`card-${model.name}`}
            >
              <header className="card-header">
                <h2 id={`card-${model.name}`}>
                  <Link to={`/models/${model.name}`}>{model.name}</Link>
                </h2>
                <Link className="button" to={`/models/${model.name}/new`}>
                  Submit
                </Link>
              </header>
              <ul className="counts" aria-label="Jobs by status">
                {STATUSES.map((status) => (
                  <li key={status}>
                    <Link
                      to={`/models/${model.name}?status=${status}`}
                      aria-label={`${status}: ${summary?.counts[status] ?? "…"}`}
                    >
                      <StatusBadge status={status} />
                      <strong data-count={status}>{summary ? summary.counts[status] : "…"}</strong>
                    </Link>
                  </li>
                ))}
              </ul>
              {summary && <Sparkbars values={summary.perMinute} label="Jobs created per minute" />}
              <h3>Newest failures</h3>
              {summary && summary.failures.length === 0 && <p className="muted">None.</p>}
              <ul className="failures">
                {summary?.failures.map((failure) => (
                  <li key={failure.id}>
                    <Link to={jobPath(failure.id)} className="mono">
                      {failure.id.slice(failure.id.indexOf(":") + 1, failure.id.indexOf(":") + 9)}
                    </Link>{" "}
                    <Time value={failure.meta.updatedTime} />
                    <div className="errmsg">{failure.errmsg ?? "(no message)"}</div>
                  </li>
                ))}
              </ul>
            </article>
          );
        })}
      </div>
    </section>
  );
}

/**
 * Runs `operations` together and merges their data (their aliases differ); `refetch()`
 * asks again, keeping the data shown meanwhile. The error is the first of any of them.
 */
function useMerged(
  operations: Operation<Record<string, unknown>, Record<string, never>>[],
): [{ data: Record<string, unknown> | null; error: CombinedError | null }, () => void] {
  const client = useClient();
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<{ data: Record<string, unknown> | null; error: CombinedError | null }>({
    data: null,
    error: null,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` asks again
  useEffect(() => {
    let current = true;
    void Promise.all(
      operations.map((op) => client.query(op.query, {}, { requestPolicy: "network-only" }).toPromise()),
    ).then((results) => {
      if (!current) return;
      const error = results.find((result) => result.error)?.error ?? null;
      if (error) setState((previous) => ({ data: previous.data, error }));
      else setState({ data: Object.assign({}, ...results.map((result) => result.data)), error: null });
    });
    return () => {
      current = false;
    };
  }, [client, operations, generation]);
  return [state, () => setGeneration((g) => g + 1)];
}

function nextMinute(): number {
  return Math.ceil(Date.now() / 60_000) * 60_000;
}

/** Listens to a model's events: one subscription per model, as hooks need a fixed count. */
function Watch({ model, onChange }: { model: Model; onChange: () => void }) {
  const api = useApi();
  const operation = useMemo(() => modelEvents(api, model), [api, model]);
  useLive(operation, {}, onChange);
  return null;
}
