/**
 * The OpenAPI 3.1 document of the REST routes, made from the registered models' zod
 * schemas (JSON Schema 2020-12 is OpenAPI 3.1's own schema language).
 */

import { type JsonSchema, toJsonSchema } from "../graphql/zod/json-schema.js";
import { payloadFields } from "../model/payload-fields.js";
import { TASK_STATUSES } from "../model/task-status.js";
import type { Spec } from "../spec.js";

/** Options of {@link openApiDocument}. */
export interface OpenApiOptions {
  /** Path prefix of the routes. Default: `/api`. */
  basePath?: string;
  /** Whether the routes require a bearer token (documented as a security scheme). Default: false. */
  bearerAuth?: boolean;
  /** The document's `info.version`. Default: `"1"`. */
  version?: string;
}

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const content = (schema: Json) => ({ "application/json": { schema } });
const errorResponse = (description: string) => ({ description, content: content(ref("Error")) });

/** The OpenAPI 3.1 document of `spec`'s REST routes. */
export function openApiDocument(spec: Spec, options: OpenApiOptions = {}): Json {
  const base = (options.basePath ?? "/api").replace(/\/+$/, "");
  const schemas: Json = { ...commonSchemas() };
  const paths: Json = {
    [base]: {
      get: {
        tags: ["All models"],
        summary: "List the jobs of every model (newest first by default)",
        operationId: "listJobs",
        parameters: [
          {
            name: "models",
            in: "query",
            required: false,
            description: "Model names or keys, repeated or comma-separated. Default: all",
            schema: { type: "array", items: { type: "string" } },
            style: "form",
            explode: true,
          },
          ...listParameters(),
        ],
        responses: { 200: { description: "A page", content: content(ref("JobPage")) }, ...errors() },
      },
    },
  };
  schemas.Job = {
    type: "object",
    description: "A job of any model: its revision info and its fields.",
    required: ["info", "data"],
    properties: {
      info: ref("RevisionInfo"),
      data: { allOf: [ref("JobFields"), { type: "object", properties: { payload: {}, artifact: {} } }] },
    },
  };
  schemas.JobPage = pageSchema(ref("Job"));
  for (const { schema } of spec.registeredModels()) {
    const name = schema.name;
    const { payloadSchema, artifactSchema } = schema.model;
    schemas[`${name}PayloadInput`] = embed(toJsonSchema(payloadSchema, { io: "input" }));
    schemas[`${name}Data`] = {
      allOf: [
        ref("JobFields"),
        {
          type: "object",
          properties: {
            payload: embed(toJsonSchema(payloadSchema)),
            artifact: artifactSchema
              ? { anyOf: [embed(toJsonSchema(artifactSchema)), { type: "null" }] }
              : {},
          },
        },
      ],
    };
    schemas[name] = {
      type: "object",
      description: `A revision of a ${name}: who made it and when (info), and the job (data).`,
      required: ["info", "data"],
      properties: { info: ref("RevisionInfo"), data: ref(`${name}Data`) },
    };
    schemas[`${name}Page`] = pageSchema(ref(name));
    schemas[`Submit${name}`] = {
      type: "object",
      required: ["payload"],
      additionalProperties: false,
      properties: { payload: ref(`${name}PayloadInput`), ...jobOptionSchemas() },
    };
    const tag = name;
    const one = (summary: string, extra: Json = {}) => ({
      tags: [tag],
      summary,
      parameters: [idParameter(schema.key)],
      ...extra,
    });
    const job = { description: `The ${name}`, content: content(ref(name)) };
    paths[`${base}/${schema.key}`] = {
      get: {
        tags: [tag],
        summary: `List ${name} jobs (newest first by default)`,
        operationId: `list${name}s`,
        parameters: [...listParameters(), ...payloadParameters(payloadSchema)],
        responses: { 200: { description: "A page", content: content(ref(`${name}Page`)) }, ...errors() },
      },
      post: {
        tags: [tag],
        summary: `Submit a ${name}`,
        operationId: `submit${name}`,
        requestBody: { required: true, content: content(ref(`Submit${name}`)) },
        responses: {
          201: { description: `The ${name} as submitted`, content: content(ref(name)) },
          ...errors(),
          409: errorResponse("The idempotency key is held by a job with another payload"),
        },
      },
    };
    paths[`${base}/${schema.key}/{id}`] = {
      get: one(`Get a ${name} (its current revision, or revisionId's)`, {
        operationId: `get${name}`,
        parameters: [
          idParameter(schema.key),
          { name: "revisionId", in: "query", required: false, schema: { type: "string" } },
        ],
        responses: { 200: job, ...errors() },
      }),
    };
    paths[`${base}/${schema.key}/{id}/rerun`] = {
      post: one(`Rerun a finished ${name}`, {
        operationId: `rerun${name}`,
        responses: { 200: job, ...errors(), 409: errorResponse("The job is not finished") },
      }),
    };
    paths[`${base}/${schema.key}/{id}/cancel`] = {
      post: one(`Cancel a pending or running ${name}`, {
        operationId: `cancel${name}`,
        responses: { 200: job, ...errors(), 409: errorResponse("The job is already finished") },
      }),
    };
    paths[`${base}/${schema.key}/{id}/revisions`] = {
      get: one(`The revisions of a ${name}, oldest first`, {
        operationId: `list${name}Revisions`,
        parameters: [idParameter(schema.key), ...revisionParameters()],
        responses: { 200: { description: "A page", content: content(ref(`${name}Page`)) }, ...errors() },
      }),
    };
    paths[`${base}/${schema.key}/{id}/logs`] = {
      get: one(`The lines a ${name}'s handler logged, oldest first`, {
        operationId: `get${name}Logs`,
        responses: {
          200: {
            description: "The log lines",
            content: content({
              type: "object",
              properties: { items: { type: "array", items: ref("JobLog") } },
            }),
          },
          ...errors(),
        },
      }),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "jobstar REST API",
      version: options.version ?? "1",
      description:
        "Jobs as versioned resources. The same operations, validation, identity and permissions as the GraphQL API.",
    },
    paths,
    components: {
      schemas,
      ...(options.bearerAuth ? { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } } : {}),
    },
    ...(options.bearerAuth ? { security: [{ bearer: [] }] } : {}),
  };
}

/** A zod JSON Schema without its `$schema` (the document says which dialect). */
function embed(schema: JsonSchema): Json {
  const { $schema: _dialect, ...rest } = schema as Json;
  return rest;
}

function idParameter(key: string): Json {
  return {
    name: "id",
    in: "path",
    required: true,
    description: `The job's resource id (\`${key}:<uuid>\`), or its uuid alone`,
    schema: { type: "string" },
  };
}

function errors(): Json {
  return {
    400: errorResponse("Invalid input (fields name what failed)"),
    401: errorResponse("No valid bearer token"),
    403: errorResponse("The caller may not do this"),
    404: errorResponse("No such job, revision or model"),
  };
}

function listParameters(): Json[] {
  const text = (name: string, description: string) => ({
    name,
    in: "query",
    required: false,
    description,
    schema: { type: "string" },
  });
  const time = (name: string, description: string) => ({
    name,
    in: "query",
    required: false,
    description,
    schema: { type: "string", format: "date-time" },
  });
  return [
    {
      name: "status",
      in: "query",
      required: false,
      description: "Statuses, repeated or comma-separated",
      schema: { type: "array", items: { type: "string", enum: [...TASK_STATUSES] } },
      style: "form",
      explode: true,
    },
    text("createdBy", "Only jobs created by this user"),
    time("createdAfter", "Created at or after"),
    time("createdBefore", "Created before"),
    time("updatedAfter", "Updated at or after"),
    time("updatedBefore", "Updated before"),
    text("partitionKey", "Only jobs of this partition"),
    {
      name: "sortBy",
      in: "query",
      required: false,
      schema: { type: "string", enum: ["createdTime", "updatedTime"] },
    },
    { name: "order", in: "query", required: false, schema: { type: "string", enum: ["asc", "desc"] } },
    { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 1000 } },
    text("after", "The nextCursor of the previous page"),
    text("before", "Only items before this cursor"),
  ];
}

/** `payload.<field>` (equality) and, for numbers and dates, `payload.<field>.gt|gte|lt|lte`. */
function payloadParameters(schema: Parameters<typeof payloadFields>[0]): Json[] {
  return payloadFields(schema).flatMap((field) => {
    const type =
      field.kind === "date"
        ? { type: "string", format: "date-time" }
        : field.kind === "integer"
          ? { type: "integer" }
          : { type: field.kind === "boolean" ? "boolean" : field.kind === "number" ? "number" : "string" };
    const schemaOf = field.values ? { ...type, enum: [...field.values] } : type;
    const equality = {
      name: `payload.${field.name}`,
      in: "query",
      required: false,
      description: `Only jobs whose payload.${field.name} is this`,
      schema: schemaOf,
    };
    const ranges = ["number", "integer", "date"].includes(field.kind)
      ? ["gt", "gte", "lt", "lte"].map((op) => ({
          name: `payload.${field.name}.${op}`,
          in: "query",
          required: false,
          description: `payload.${field.name} ${{ gt: ">", gte: ">=", lt: "<", lte: "<=" }[op]} this`,
          schema: type,
        }))
      : [];
    return [equality, ...ranges];
  });
}

function revisionParameters(): Json[] {
  return [
    { name: "order", in: "query", required: false, schema: { type: "string", enum: ["asc", "desc"] } },
    { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 1000 } },
    { name: "after", in: "query", required: false, schema: { type: "integer" } },
    { name: "before", in: "query", required: false, schema: { type: "integer" } },
  ];
}

function pageSchema(item: Json): Json {
  return {
    type: "object",
    required: ["items", "nextCursor", "hasMore", "totalCount"],
    properties: {
      items: { type: "array", items: item },
      nextCursor: { type: ["string", "null"], description: "Pass as `after` for the next page" },
      hasMore: { type: "boolean" },
      totalCount: { type: "integer" },
    },
  };
}

function jobOptionSchemas(): Json {
  const nullable = (type: string, description: string) => ({ type: [type, "null"], description });
  return {
    maxRetries: nullable("integer", "Failed runs to retry. Default: the queue's (3)."),
    idempotencyKey: nullable(
      "string",
      "A second submit with the same key and payload returns the first job; another payload is a 409.",
    ),
    partitionKey: nullable("string", "A free label to filter by."),
    periodicIntervalSeconds: nullable("number", "Run again this many seconds after each run."),
    periodicMaxRuns: nullable("integer", "Stop a periodic job after this many runs."),
    periodicInitialDelaySeconds: nullable("number", "Wait this long before the first run."),
    priority: nullable("integer", "Higher runs first among due jobs (-32767 to 32767). Default: 0."),
    timeoutSeconds: nullable("number", "A run taking longer fails. Default: the model's limit."),
    runAt: { type: ["string", "null"], format: "date-time", description: "Not before this time." },
  };
}

function commonSchemas(): Json {
  const time = { type: "string", format: "date-time" };
  return {
    Error: {
      type: "object",
      required: ["error"],
      properties: {
        error: {
          type: "object",
          required: ["code", "message"],
          properties: {
            code: { type: "string", description: "A stable code: VALIDATION_FAILED, NOT_FOUND, CONFLICT, …" },
            message: { type: "string" },
            fields: {
              type: "array",
              items: {
                type: "object",
                properties: { path: { type: "string" }, message: { type: "string" } },
              },
            },
            limit: { type: "string" },
          },
        },
      },
    },
    RevisionInfo: {
      type: "object",
      properties: {
        resourceId: { type: "string" },
        revisionId: { type: "string" },
        parentRevisionId: { type: ["string", "null"] },
        schemaVersion: { type: "string" },
        dataHash: { type: "string" },
        status: { type: "string", enum: ["draft", "stable"] },
        createdTime: time,
        createdBy: { type: "string" },
        updatedTime: time,
        updatedBy: { type: "string" },
      },
    },
    JobFields: {
      type: "object",
      properties: {
        status: { type: "string", enum: [...TASK_STATUSES] },
        errmsg: { type: ["string", "null"] },
        retries: { type: "integer" },
        maxRetries: { type: ["integer", "null"] },
        periodicIntervalSeconds: { type: ["number", "null"] },
        periodicMaxRuns: { type: ["integer", "null"] },
        periodicRuns: { type: "integer" },
        periodicInitialDelaySeconds: { type: ["number", "null"] },
        lastHeartbeatAt: { type: ["string", "null"] },
        partitionKey: { type: ["string", "null"] },
        idempotencyKey: { type: ["string", "null"] },
        priority: { type: ["integer", "null"] },
        timeoutSeconds: { type: ["number", "null"] },
        runAt: { type: ["string", "null"] },
      },
    },
    JobLog: {
      type: "object",
      properties: {
        resourceId: { type: "string" },
        run: { type: "integer" },
        time,
        level: { type: "string", enum: ["debug", "info", "warn", "error"] },
        message: { type: "string" },
      },
    },
  };
}
