/**
 * Reading a REST request: its JSON body (bounded, JSON only) and its query parameters,
 * each failure a typed error naming the field.
 */
import { z } from "zod";
import { BadRequestError, LimitExceededError, ValidationError } from "../errors.js";
import type { PayloadField, PayloadFilter } from "../model/payload-fields.js";
import { TASK_STATUSES, type TaskStatus } from "../model/task-status.js";
import type { ListOptions, RevisionListOptions } from "../resource/manager.js";

/**
 * The JSON body of a POST, or `undefined` when it has none. Only `application/json` is
 * taken (a form on another site cannot post one), and no more than `maxBytes` is read.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (!request.body) return undefined;
  if (type && type !== "application/json") {
    throw new BadRequestError("a POST must have Content-Type: application/json (CSRF protection)");
  }
  const tooLarge = () =>
    new LimitExceededError("maxBodyBytes", `the body is over ${maxBytes} bytes (limits.maxBodyBytes)`);
  const length = request.headers.get("content-length");
  if (length !== null && !(Number(length) <= maxBytes)) throw tooLarge();
  const text = await readAtMost(request, maxBytes);
  if (text === null) throw tooLarge();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequestError("the body is not valid JSON");
  }
}

/** The body's text, or null (having stopped reading) once there are more than `max`. */
export async function readAtMost(request: Request, max: number): Promise<string | null> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A new job as a REST client posts it: the payload and the job options. */
export const submitBody = z
  .object({
    payload: z.unknown(),
    maxRetries: z.number().int().nullish(),
    idempotencyKey: z.string().nullish(),
    partitionKey: z.string().nullish(),
    periodicIntervalSeconds: z.number().nullish(),
    periodicMaxRuns: z.number().int().nullish(),
    periodicInitialDelaySeconds: z.number().nullish(),
    priority: z.number().int().nullish(),
    timeoutSeconds: z.number().nullish(),
    runAt: z.string().nullish(),
  })
  .strict();

/** The body of a submit, checked (unknown fields are refused, by name). */
export function parseSubmitBody(body: unknown): z.output<typeof submitBody> {
  const result = submitBody.safeParse(body ?? {});
  if (!result.success) {
    const issues = result.error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({ path: [key], message: "is not a field of a submit" }))
        : [{ path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: issue.message }],
    );
    throw new ValidationError(issues, "invalid request body");
  }
  return result.data;
}

const LIST_PARAMETERS = new Set([
  "status",
  "createdBy",
  "createdAfter",
  "createdBefore",
  "updatedAfter",
  "updatedBefore",
  "partitionKey",
  "sortBy",
  "order",
  "limit",
  "after",
  "before",
]);

/**
 * A list's filters and page from the query string (`status` may repeat or list values with
 * commas). `payload.<field>=v` and `payload.<field>.<gt|gte|lt|lte|in>=v` filter on the
 * payload `fields` (an `in` lists values with commas); values are read as the field's type.
 */
export function parseListQuery(params: URLSearchParams, fields: readonly PayloadField[] = []): ListOptions {
  const payload = parsePayloadParams(params, fields);
  refuseUnknown(params, LIST_PARAMETERS, true);
  const options: ListOptions = payload ? { payload } : {};
  const statuses = params
    .getAll("status")
    .flatMap((value) => value.split(","))
    .filter(Boolean);
  if (statuses.length > 0) {
    const bad = statuses.find((s) => !TASK_STATUSES.includes(s as TaskStatus));
    if (bad !== undefined) invalid("status", `"${bad}" is not one of ${TASK_STATUSES.join(", ")}`);
    options.status = statuses as TaskStatus[];
  }
  for (const field of ["createdBy", "partitionKey", "after", "before"] as const) {
    const value = params.get(field);
    if (value !== null) options[field] = value;
  }
  for (const field of ["createdAfter", "createdBefore", "updatedAfter", "updatedBefore"] as const) {
    const value = params.get(field);
    if (value !== null) options[field] = date(field, value);
  }
  const sortBy = params.get("sortBy");
  if (sortBy !== null) {
    if (sortBy !== "createdTime" && sortBy !== "updatedTime")
      invalid("sortBy", "must be createdTime or updatedTime");
    options.sortBy = sortBy;
  }
  const order = params.get("order");
  if (order !== null) options.order = direction(order);
  const limit = params.get("limit");
  if (limit !== null) options.limit = integer("limit", limit);
  return options;
}

/** A page of revisions from the query string. */
export function parseRevisionQuery(params: URLSearchParams): RevisionListOptions {
  refuseUnknown(params, new Set(["order", "limit", "after", "before"]));
  const options: RevisionListOptions = {};
  const order = params.get("order");
  if (order !== null) options.order = direction(order);
  for (const field of ["limit", "after", "before"] as const) {
    const value = params.get(field);
    if (value !== null) options[field] = integer(field, value);
  }
  return options;
}

function refuseUnknown(params: URLSearchParams, known: ReadonlySet<string>, payload = false): void {
  for (const key of params.keys()) {
    if (!known.has(key) && !(payload && key.startsWith("payload.")))
      invalid(key, "is not a parameter of this route");
  }
}

const OPERATORS = new Set(["eq", "in", "gt", "gte", "lt", "lte"]);

/** The `payload.…` parameters as a payload filter (checked, with the field named, by the list). */
function parsePayloadParams(params: URLSearchParams, fields: readonly PayloadField[]): PayloadFilter | null {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const filter: Record<string, Record<string, unknown>> = {};
  for (const [key, raw] of params) {
    if (!key.startsWith("payload.")) continue;
    const rest = key.slice("payload.".length);
    const dot = rest.lastIndexOf(".");
    const [name, op] =
      dot > 0 && OPERATORS.has(rest.slice(dot + 1))
        ? [rest.slice(0, dot), rest.slice(dot + 1)]
        : [rest, "eq"];
    const field = byName.get(name);
    const read = (text: string) => (field ? typed(field, text) : text);
    filter[name] ??= {};
    (filter[name] as Record<string, unknown>)[op] = op === "in" ? raw.split(",").map(read) : read(raw);
  }
  return Object.keys(filter).length > 0 ? (filter as PayloadFilter) : null;
}

/** A query-string value as the field's type; left as text when it is not one (the list's check names it). */
function typed(field: PayloadField, text: string): unknown {
  if (
    (field.kind === "number" || field.kind === "integer") &&
    text.trim() !== "" &&
    !Number.isNaN(Number(text))
  )
    return Number(text);
  if (field.kind === "boolean" && (text === "true" || text === "false")) return text === "true";
  return text;
}

function direction(value: string): "asc" | "desc" {
  if (value !== "asc" && value !== "desc") invalid("order", "must be asc or desc");
  return value;
}

function integer(field: string, value: string): number {
  if (!/^-?\d{1,15}$/.test(value)) invalid(field, "must be an integer");
  return Number(value);
}

function date(field: string, value: string): Date {
  const time = Date.parse(value);
  if (Number.isNaN(time)) invalid(field, "must be an ISO 8601 date-time");
  return new Date(time);
}

function invalid(field: string, message: string): never {
  throw new ValidationError([{ path: [field], message }], "invalid query");
}
