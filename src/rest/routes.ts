/**
 * The REST routes of every registered model, made from the registry (never written per
 * model): each route is one call on the model's {@link JobAccess}, so REST has the same
 * validation, identity and permissions as GraphQL.
 */
import { ModelNotRegisteredError, UnauthenticatedError, ValidationError } from "../errors.js";
import { toJobData } from "../model/job.js";
import { type PayloadField, payloadFields } from "../model/payload-fields.js";
import type { Principal } from "../model/policy.js";
import { ANONYMOUS } from "../resource/actor.js";
import { defaultPolicy, JobAccess } from "../resource/authorize.js";
import type { Page, Resource } from "../resource/types.js";
import type { Spec } from "../spec.js";
import { toHttpError } from "./http-errors.js";
import { parseListQuery, parseRevisionQuery, parseSubmitBody, readJsonBody } from "./request.js";

/** Who is calling, found from the request: as the GraphQL handler finds it. */
export interface RestIdentity {
  /** With authentication on: the principal, or null (answered 401). */
  authenticate?: (request: Request) => Promise<Principal | null>;
  /** Without authentication: the acting user's name (null: anonymous). */
  user?: (request: Request) => Promise<string | null | undefined>;
}

/** Options of {@link createRestRoutes}. */
export interface RestRoutesOptions extends RestIdentity {
  /** Path prefix of the routes. Default: `/api`. */
  basePath?: string;
  /** Largest request body read, in bytes. Default: 1 MiB. */
  maxBodyBytes?: number;
}

/** Answers a request to one of the routes, or null for any other path. */
export type RestRoutes = (request: Request, url: URL) => Promise<Response | null>;

type Route = (
  access: JobAccess,
  id: string,
  request: Request,
  url: URL,
  fields: PayloadField[],
) => Promise<Response>;

/** What each route does, by method and the path after `/<model-key>`. */
const ROUTES: Record<string, Route> = {
  "GET ": async (access, _id, _request, url, fields) =>
    page(await access.list(parseListQuery(url.searchParams, fields))),
  "GET /:id": async (access, id, _request, url) => {
    const revisionId = url.searchParams.get("revisionId") ?? undefined;
    return json(200, resource(await access.get(id, revisionId === undefined ? {} : { revisionId })));
  },
  "GET /:id/revisions": async (access, id, _request, url) =>
    page(await access.listRevisions(id, parseRevisionQuery(url.searchParams))),
  "GET /:id/logs": async (access, id) => json(200, { items: await access.getLogs(id) }),
  "POST /:id/rerun": async (access, id) => {
    const info = await access.rerun(id);
    return json(200, resource(await access.get(id, { revisionId: info.revisionId })));
  },
  "POST /:id/cancel": async (access, id) => {
    const info = await access.cancel(id);
    return json(200, resource(await access.get(id, { revisionId: info.revisionId })));
  },
};

/**
 * The REST routes of `spec`'s models, under `basePath` (default `/api`):
 * `POST /api/<model-key>` submits, `GET /api/<model-key>` lists (the filters of GraphQL's
 * `where` as query parameters), `GET /api/<model-key>/<id>[?revisionId=]` reads,
 * `POST …/<id>/rerun`, `POST …/<id>/cancel`, `GET …/<id>/revisions` and `GET …/<id>/logs`.
 * Errors answer `{ error: { code, message, fields? } }` with the status of their code.
 */
export function createRestRoutes(spec: Spec, options: RestRoutesOptions = {}): RestRoutes {
  const base = (options.basePath ?? "/api").replace(/\/+$/, "");
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  return async (request, url) => {
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return null;
    try {
      const segments = url.pathname.slice(base.length).split("/").filter(Boolean).map(decodeURIComponent);
      const [key = "", id, action, ...extra] = segments;
      if (key === "") {
        if (request.method !== "GET") {
          return json(405, { error: { code: "METHOD_NOT_ALLOWED", message: "use GET" } }, { allow: "GET" });
        }
        return page(await listAcross(spec, request, url, options));
      }
      const registered = spec.registeredModels().find((m) => m.schema.key === key);
      if (!registered) throw new ModelNotRegisteredError(key || "(none)");
      const access = await accessOf(spec, registered.schema.name, request, options);
      if (request.method === "POST" && id === undefined) {
        const body = parseSubmitBody(await readJsonBody(request, maxBodyBytes));
        const info = await access.create(body as never);
        return json(201, resource(await access.get(info.resourceId, { revisionId: info.revisionId })));
      }
      if (request.method === "POST") await readJsonBody(request, maxBodyBytes);
      const pattern = id === undefined ? "" : action === undefined ? "/:id" : `/:id/${action}`;
      const route = extra.length === 0 ? ROUTES[`${request.method} ${pattern}`] : undefined;
      if (!route) {
        const allowed = ["GET", "POST"].filter(
          (m) => ROUTES[`${m} ${pattern}`] || (m === "POST" && pattern === ""),
        );
        if (extra.length > 0 || allowed.length === 0) return json(404, notFound(url.pathname));
        return json(
          405,
          { error: { code: "METHOD_NOT_ALLOWED", message: `use ${allowed.join(" or ")}` } },
          { allow: allowed.join(", ") },
        );
      }
      // A bare uuid is taken as this model's job.
      const resourceId = id === undefined || id.includes(":") ? (id ?? "") : `${key}:${id}`;
      return await route(
        access,
        resourceId,
        request,
        url,
        payloadFields(registered.schema.model.payloadSchema),
      );
    } catch (error) {
      const { status, body } = toHttpError(error);
      // A body cut short leaves the rest unread: the connection cannot carry another request.
      const headers: Record<string, string> =
        status === 401 ? { "www-authenticate": "Bearer" } : status === 413 ? { connection: "close" } : {};
      return json(status, body, headers);
    }
  };
}

/** `GET /api`: jobs of every model (or `models=a,b`), as the caller may read them. */
async function listAcross(
  spec: Spec,
  request: Request,
  url: URL,
  options: RestIdentity,
): Promise<Page<Resource>> {
  const params = new URLSearchParams(url.searchParams);
  const models = params
    .getAll("models")
    .flatMap((m) => m.split(","))
    .filter(Boolean);
  params.delete("models");
  const payloadKey = [...params.keys()].find((k) => k.startsWith("payload."));
  if (payloadKey !== undefined) {
    throw new ValidationError(
      [{ path: [payloadKey], message: "payload filters apply to one model's list (GET /api/<model-key>)" }],
      "invalid query",
    );
  }
  const filter = parseListQuery(params);
  let principal: Principal | null = null;
  if (options.authenticate) {
    principal = await options.authenticate(request);
    if (!principal) throw new UnauthenticatedError();
  }
  return spec.listJobs({ ...filter, principal, ...(models.length > 0 ? { models } : {}) });
}

async function accessOf(
  spec: Spec,
  model: string,
  request: Request,
  options: RestIdentity,
): Promise<JobAccess> {
  const manager = spec.getResourceManager(model);
  const registered = spec.registeredModels().find((m) => m.schema.name === model);
  const policy = registered?.authorize ?? defaultPolicy;
  if (options.authenticate) {
    const principal = await options.authenticate(request);
    if (!principal) throw new UnauthenticatedError();
    return new JobAccess(manager, policy, principal);
  }
  return new JobAccess(manager, policy, null, (await options.user?.(request)) || ANONYMOUS);
}

/** A resource as JSON: `{ info, data }`, data being the job's own fields. */
function resource(value: Resource): { info: Resource["info"]; data: ReturnType<typeof toJobData> } {
  return { info: value.info, data: toJobData(value.data) };
}

function page(value: Page<Resource>): Response {
  return json(200, {
    items: value.items.map(resource),
    nextCursor: value.nextCursor,
    hasMore: value.hasMore,
    totalCount: value.totalCount,
  });
}

function notFound(path: string) {
  return { error: { code: "NOT_FOUND", message: `no route ${path}` } };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}
