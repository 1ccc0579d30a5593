// /ui/models/<Name>: a model's jobs, filtered, sorted and paged by cursor; rows change
// and new jobs appear live, from the model's event subscription.
import { type FormEvent, useMemo, useState } from "react";
import { StatusBadge, Time } from "../components.tsx";
import { type JobWhere, type ListVariables, listJobs, modelEvents, type Row, STATUSES } from "../dynamic.ts";
import type { JobStatus } from "../gql/graphql.ts";
import { useDebounced, useLive, useOnConnected, useOperation, useTitle } from "../hooks.ts";
import { type Model, useApi } from "../models.tsx";
import { jobPath, Link, navigate } from "../router.tsx";

/** Rows per page. */
const PAGE_SIZE = 50;

interface Filters {
  status: JobStatus[];
  createdBy: string;
  partitionKey: string;
  from: string;
  to: string;
  sort: "CREATED_TIME" | "UPDATED_TIME";
  dir: "ASC" | "DESC";
  after: string;
  before: string;
}

function readFilters(search: string): Filters {
  const params = new URLSearchParams(search);
  const status = (params.get("status") ?? "")
    .split(",")
    .filter((s): s is JobStatus => (STATUSES as string[]).includes(s));
  return {
    status,
    createdBy: params.get("createdBy") ?? "",
    partitionKey: params.get("partitionKey") ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
    sort: params.get("sort") === "UPDATED_TIME" ? "UPDATED_TIME" : "CREATED_TIME",
    dir: params.get("dir") === "ASC" ? "ASC" : "DESC",
    after: params.get("after") ?? "",
    before: params.get("before") ?? "",
  };
}

function writeFilters(filters: Filters): string {
  const params = new URLSearchParams();
  if (filters.status.length) params.set("status", filters.status.join(","));
  for (const key of ["createdBy", "partitionKey", "from", "to", "after", "before"] as const) {
    if (filters[key]) params.set(key, filters[key]);
  }
  if (filters.sort !== "CREATED_TIME") params.set("sort", filters.sort);
  if (filters.dir !== "DESC") params.set("dir", filters.dir);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** datetime-local values are local times: the API wants ISO instants. */
function toInstant(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function variablesOf(filters: Filters): ListVariables {
  const where: JobWhere = {};
  if (filters.status.length) where.status = filters.status;
  if (filters.createdBy) where.createdBy = filters.createdBy;
  if (filters.partitionKey) where.partitionKey = filters.partitionKey;
  const from = toInstant(filters.from);
  const to = toInstant(filters.to);
  if (from) where.createdAfter = from;
  if (to) where.createdBefore = to;
  const page = filters.before
    ? { last: PAGE_SIZE, before: filters.before }
    : { first: PAGE_SIZE, ...(filters.after ? { after: filters.after } : {}) };
  return { where, orderBy: { field: filters.sort, direction: filters.dir }, ...page };
}

function matches(row: Row, filters: Filters): boolean {
  if (filters.status.length && !filters.status.includes(row.status)) return false;
  if (filters.createdBy && row.meta.createdBy !== filters.createdBy) return false;
  if (filters.partitionKey && row.partitionKey !== filters.partitionKey) return false;
  return true;
}

function revisionNumber(row: Row): number {
  return Number(row.info.revisionId.slice(row.info.revisionId.lastIndexOf(":") + 1));
}

export function ModelPage({ model, search }: { model: Model; search: string }) {
  const api = useApi();
  const filters = useMemo(() => readFilters(search), [search]);
  const list = useMemo(() => listJobs(api, model), [api, model]);
  const events = useMemo(() => modelEvents(api, model), [api, model]);
  const variables = useMemo(() => variablesOf(filters), [filters]);
  const [state, refetch] = useOperation(list, variables);
  // Rows changed since the page was loaded, by id: newer revisions win over the page's.
  const [live, setLive] = useState<Map<string, Row>>(new Map());
  const firstPage = !filters.after && !filters.before;
  const refreshPage = useDebounced(refetch, 500);

  useLive(events, {}, ({ event }) => {
    const shown = state.data?.list.edges.some((edge) => edge.node.id === event.id);
    // A job not on this page: on the first page it may belong there (a new job), so ask again.
    if (!shown) {
      if (firstPage && matches(event, filters)) refreshPage();
      return;
    }
    setLive((current) => {
      const known = current.get(event.id);
      if (known && revisionNumber(known) >= revisionNumber(event)) return current;
      const next = new Map(current);
      next.set(event.id, event);
      return next;
    });
  });

  useOnConnected(refetch);
  useTitle(model.name);

  const go = (next: Partial<Filters>) =>
    navigate(`/models/${model.name}${writeFilters({ ...filters, ...next })}`);

  const onFilter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    go({
      status: form.getAll("status").map(String) as JobStatus[],
      createdBy: String(form.get("createdBy") ?? "").trim(),
      partitionKey: String(form.get("partitionKey") ?? "").trim(),
      from: String(form.get("from") ?? ""),
      to: String(form.get("to") ?? ""),
      after: "",
      before: "",
    });
  };

  const sortBy = (field: Filters["sort"]) => {
    const dir = filters.sort === field && filters.dir === "DESC" ? "ASC" : "DESC";
    go({ sort: field, dir, after: "", before: "" });
  };
  const ariaSort = (field: Filters["sort"]) =>
    filters.sort === field ? (filters.dir === "ASC" ? "ascending" : "descending") : "none";

  const connection = state.data?.list;
  const rows = (connection?.edges ?? []).map((edge) => {
    const newer = live.get(edge.node.id);
    return newer && revisionNumber(newer) > revisionNumber(edge.node) ? newer : edge.node;
  });

  return (
    <section aria-labelledby="model-title">
      <header className="page-header">
        <h1 id="model-title">{model.name}</h1>
        <Link className="button primary" to={`/models/${model.name}/new`}>
          Submit a job
        </Link>
      </header>
      <form className="filters" onSubmit={onFilter} key={search} aria-label="Filters">
        <fieldset className="statuses">
          <legend>Status</legend>
          {STATUSES.map((status) => (
            <label key={status}>
              <input
                type="checkbox"
                name="status"
                value={status}
                defaultChecked={filters.status.includes(status)}
              />{" "}
              {status.toLowerCase()}
            </label>
          ))}
        </fieldset>
        <label>
          Creator
          <input name="createdBy" defaultValue={filters.createdBy} />
        </label>
        <label>
          Partition key
          <input name="partitionKey" defaultValue={filters.partitionKey} />
        </label>
        <label>
          Created from
          <input type="datetime-local" name="from" defaultValue={filters.from} />
        </label>
        <label>
          Created before
          <input type="datetime-local" name="to" defaultValue={filters.to} />
        </label>
        <div className="filter-actions">
          <button type="submit" className="primary">
            Apply
          </button>
          <button type="button" onClick={() => navigate(`/models/${model.name}`)}>
            Clear
          </button>
        </div>
      </form>
      {state.error && <p role="alert">{state.error.message}</p>}
      <p className="muted" aria-live="polite">
        {connection ? `${connection.totalCount} job${connection.totalCount === 1 ? "" : "s"}` : "Loading…"}
      </p>
      <div className="table-wrap">
        <table className="jobs">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col">Creator</th>
              <th scope="col" aria-sort={ariaSort("CREATED_TIME")}>
                <button type="button" className="sort" onClick={() => sortBy("CREATED_TIME")}>
                  Created {filters.sort === "CREATED_TIME" ? (filters.dir === "ASC" ? "↑" : "↓") : ""}
                </button>
              </th>
              <th scope="col" aria-sort={ariaSort("UPDATED_TIME")}>
                <button type="button" className="sort" onClick={() => sortBy("UPDATED_TIME")}>
                  Updated {filters.sort === "UPDATED_TIME" ? (filters.dir === "ASC" ? "↑" : "↓") : ""}
                </button>
              </th>
              <th scope="col">Retries</th>
              <th scope="col">Partition</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-job-id={row.id}>
                <td>
                  <Link to={jobPath(row.id)} className="mono">
                    {row.id.slice(row.id.indexOf(":") + 1)}
                  </Link>
                </td>
                <td>
                  <StatusBadge status={row.status} />
                </td>
                <td>{row.meta.createdBy}</td>
                <td>
                  <Time value={row.meta.createdTime} />
                </td>
                <td>
                  <Time value={row.meta.updatedTime} />
                </td>
                <td>
                  {row.retries}
                  {row.maxRetries != null ? ` / ${row.maxRetries}` : ""}
                </td>
                <td>{row.partitionKey ?? <span className="muted">—</span>}</td>
              </tr>
            ))}
            {connection && rows.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  No jobs match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          disabled={!connection || firstPage || !connection.pageInfo.startCursor}
          onClick={() => go({ before: connection?.pageInfo.startCursor ?? "", after: "" })}
        >
          ← Previous
        </button>
        <button type="button" disabled={firstPage} onClick={() => go({ after: "", before: "" })}>
          First page
        </button>
        <button
          type="button"
          disabled={!connection || !(connection.pageInfo.hasNextPage || filters.before)}
          onClick={() => go({ after: connection?.pageInfo.endCursor ?? "", before: "" })}
        >
          Next →
        </button>
      </nav>
    </section>
  );
}
