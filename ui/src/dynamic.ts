// Operations whose field names come from the registered models, typed by the
// codegen'd fragments they select (JobRow, JobStateFields, JobLogFields).
import type {
  JobLogFieldsFragment,
  JobRowFragment,
  JobStateFieldsFragment,
  JobStatus,
} from "./gql/graphql.ts";
import { type Api, hasField, type Model, selectionOf } from "./models.tsx";
import { JobLogFields, JobRowFields, JobStateFields } from "./operations.ts";

/** A typed operation assembled at run time. */
export interface Operation<TData, TVariables> {
  query: string;
  /** Phantom: the shape of `data` and of the variables. */
  readonly __types?: [TData, TVariables];
}

export const STATUSES: JobStatus[] = ["PENDING", "PROCESSING", "COMPLETED", "FAILED", "CANCELLED"];

/** What the viewer may do with a job, when the server says so (else undefined). */
export interface Permissions {
  viewerCanCancel?: boolean | null;
  viewerCanRerun?: boolean | null;
}

export type Row = JobRowFragment & Permissions;

export interface Connection<T> {
  totalCount: number;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: { cursor: string; node: T }[];
}

export interface JobWhere {
  status?: JobStatus[];
  createdBy?: string;
  partitionKey?: string;
  createdAfter?: string;
  createdBefore?: string;
}

export interface ListVariables {
  where?: JobWhere;
  orderBy?: { field: "CREATED_TIME" | "UPDATED_TIME"; direction: "ASC" | "DESC" };
  first?: number;
  after?: string;
  last?: number;
  before?: string;
}

function permissionFields(api: Api, model: Model): string {
  return ["viewerCanCancel", "viewerCanRerun"].filter((f) => hasField(api, model.name, f)).join(" ");
}

/** One page of a model's jobs. */
export function listJobs(api: Api, model: Model): Operation<{ list: Connection<Row> }, ListVariables> {
  return {
    query: `query ${model.name}List($where: JobWhere, $orderBy: JobOrder, $first: Int, $after: String, $last: Int, $before: String) {
  list: ${model.field}s(where: $where, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { ...JobRow ${permissionFields(api, model)} } }
  }
}
${JobRowFields}`,
  };
}

/** Each change of a model's jobs, as rows. */
export function modelEvents(api: Api, model: Model): Operation<{ event: Row }, Record<string, never>> {
  return {
    query: `subscription ${model.name}Events { event: ${model.field}Events { ...JobRow ${permissionFields(api, model)} } }
${JobRowFields}`,
  };
}

export interface ModelSummary {
  counts: Record<JobStatus, number>;
  /** Jobs created per minute, oldest minute first. */
  perMinute: number[];
  failures: { id: string; errmsg: string | null; meta: { updatedTime: string } }[];
}

/** Minutes shown in the overview's chart. */
export const CHART_MINUTES = 60;

/**
 * Aliases one request may hold: the server's default `limits.maxAliases` (a request with
 * more is refused with 400 LIMIT_EXCEEDED), so the overview asks in several requests.
 */
export const MAX_ALIASES = 15;

/** Counts by status, jobs per minute over the last hour and newest failures, for every model. */
export function overview(
  models: Model[],
  now: Date,
): {
  /** Requests of at most {@link MAX_ALIASES} aliases each, whose data `read` takes merged. */
  operations: Operation<Record<string, unknown>, Record<string, never>>[];
  read: (data: Record<string, unknown>) => ModelSummary[];
} {
  const end = new Date(Math.ceil(now.getTime() / 60_000) * 60_000); // the chart's last minute ends here
  const bounds = Array.from({ length: CHART_MINUTES + 1 }, (_, i) =>
    new Date(end.getTime() - (CHART_MINUTES - i) * 60_000).toISOString(),
  );
  const fields = models.flatMap((model, m) => {
    const list = `${model.field}s`;
    const counts = STATUSES.map(
      (s) => `m${m}_${s}: ${list}(where: { status: [${s}] }, first: 0) { totalCount }`,
    );
    const minutes = bounds
      .slice(0, -1)
      .map(
        (from, i) =>
          `m${m}_t${i}: ${list}(where: { createdAfter: "${from}", createdBefore: "${bounds[i + 1]}" }, first: 0) { totalCount }`,
      );
    const failures = `m${m}_failures: ${list}(where: { status: [FAILED] }, orderBy: { field: UPDATED_TIME, direction: DESC }, first: 5) { edges { node { id errmsg meta { updatedTime } } } }`;
    return [...counts, failures, ...minutes];
  });
  const operations = [];
  for (let i = 0; i < fields.length; i += MAX_ALIASES) {
    const part = fields.slice(i, i + MAX_ALIASES);
    operations.push({ query: `query Overview${i / MAX_ALIASES} {\n${part.join("\n")}\n}` });
  }
  const total = (value: unknown) => (value as { totalCount: number } | undefined)?.totalCount ?? 0;
  return {
    operations,
    read: (data) =>
      models.map((_, m) => ({
        counts: Object.fromEntries(STATUSES.map((s) => [s, total(data[`m${m}_${s}`])])) as Record<
          JobStatus,
          number
        >,
        perMinute: Array.from({ length: CHART_MINUTES }, (_, i) => total(data[`m${m}_t${i}`])),
        failures: (
          (data[`m${m}_failures`] as Connection<ModelSummary["failures"][number]> | undefined)?.edges ?? []
        ).map((e) => e.node),
      })),
  };
}

/** A revision of a job: its state plus the model's payload and artifact. */
export type Revision = JobStateFieldsFragment & { revisionId: string; payload: unknown; artifact: unknown };

/** A job with everything the job page shows. */
export type JobDetail = JobStateFieldsFragment &
  Permissions & {
    id: string;
    model: string;
    payload: unknown;
    artifact: unknown;
    meta: { createdBy: string; createdTime: string; totalRevisionCount: number };
    revisions: Connection<Revision>;
    logs: Connection<JobLogFieldsFragment>;
  };

/** Revisions and log lines the job page loads at most. */
export const HISTORY_LIMIT = 100;
/**
 * Revisions carry the whole payload and artifact: the newest 20 keep the job page's query
 * within the server's cost limit (`maxCost`) even for a model with deep, nested data.
 */
export const REVISIONS_LIMIT = 20;

/** One job, its history and its logs. */
export function jobDetail(api: Api, model: Model): Operation<{ job: JobDetail | null }, { id: string }> {
  const payload = selectionOf(api, model.name, "payload");
  const artifact = selectionOf(api, model.name, "artifact");
  return {
    query: `query ${model.name}Detail($id: ID!) {
  job: ${model.field}(id: $id) {
    id model ...JobStateFields ${permissionFields(api, model)}
    payload ${payload}
    artifact ${artifact}
    meta { createdBy createdTime totalRevisionCount }
    revisions(last: ${REVISIONS_LIMIT}) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { revisionId ...JobStateFields payload ${payload} artifact ${artifact} } }
    }
    logs(last: ${HISTORY_LIMIT}) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ...JobLogFields } }
    }
  }
}
${JobStateFields}
${JobLogFields}`,
  };
}

/** Rerun or cancel one job. */
export function jobAction(
  model: Model,
  action: "rerun" | "cancel",
): Operation<{ job: { id: string; status: JobStatus } }, { id: string }> {
  return {
    query: `mutation ${action}${model.name}($id: ID!) { job: ${action}${model.name}(id: $id) { id status } }`,
  };
}

/** Submit a job of `model`. */
export function submitJob(
  model: Model,
): Operation<{ job: { id: string } }, { input: Record<string, unknown> }> {
  return {
    query: `mutation submit${model.name}($input: Submit${model.name}Input!) { job: submit${model.name}(input: $input) { id } }`,
  };
}
