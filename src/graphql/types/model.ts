import { ValidationError } from "../../errors.js";
import type { JobInit } from "../../model/job.js";
import type { TaskStatus } from "../../model/task-status.js";
import type { JobAccess } from "../../resource/authorize.js";
import { holdSlot, jobsOf } from "../access.js";
import type { Builder } from "../builder.js";
import { emptyConnection, pageRequest, toConnection } from "../connection.js";
import { dropOptionalNulls } from "../input.js";
import { listOptions } from "../list-options.js";
import type { GraphQLModel, JobResource, ModelDirectory } from "../models.js";
import { modelEvents } from "../streams.js";
import { zodInputType, zodOutputType } from "../zod/index.js";
import { type CommonTypes, connectionOptions, edgeOptions } from "./common.js";
import { addPayloadWhere } from "./payload-where.js";

/** The refs of one model's types, for the generic fields (`submitJob`). */
export interface ModelTypes {
  model: GraphQLModel;
  job: ReturnType<typeof addJobType>;
  submitInput: ReturnType<typeof addSubmitInput>;
}

/** Registers a model's object and input types and its query, mutation and subscription fields. */
export function addModel(
  builder: Builder,
  model: GraphQLModel,
  common: CommonTypes,
  directory: ModelDirectory,
): ModelTypes {
  const job = addJobType(builder, model, common);
  const submitInput = addSubmitInput(builder, model);
  addQueries(builder, model, common, job);
  addMutations(builder, model, job, submitInput);
  addSubscriptions(builder, model, common, job, directory);
  return { model, job, submitInput };
}

function payloadAndArtifact(builder: Builder, model: GraphQLModel) {
  const { schema } = model.registered;
  const payload = zodOutputType(builder, schema.model.payloadSchema, model.payloadTypeName, model.typeName, {
    path: ["payload"],
  });
  const artifactSchema = schema.model.artifactSchema;
  const artifact = artifactSchema
    ? zodOutputType(builder, artifactSchema, model.artifactTypeName, model.typeName, { path: ["artifact"] })
    : ("JSON" as const);
  return { payload, artifact };
}

function addJobType(builder: Builder, model: GraphQLModel, common: CommonTypes) {
  const { payload, artifact } = payloadAndArtifact(builder, model);
  const description = model.registered.schema.model.payloadSchema.description;

  const revision = builder.objectRef<JobResource>(`${model.typeName}Revision`).implement({
    description: `A ${model.typeName} as of one revision.`,
    interfaces: [common.jobState],
    fields: (t) => ({
      revisionId: t.id({ resolve: (r) => r.info.revisionId }),
      payload: t.field({ type: payload, resolve: (r) => r.data.payload as never }),
      artifact: t.field({ type: artifact, nullable: true, resolve: (r) => r.data.artifact as never }),
    }),
  });

  const ref = builder.objectRef<JobResource>(model.typeName);
  builder.node(ref, {
    description: description ?? `A ${model.typeName} job at its current revision.`,
    interfaces: [common.job, common.jobState],
    isTypeOf: (value) =>
      typeof value === "object" &&
      value !== null &&
      "info" in value &&
      belongsTo(model, (value as JobResource).info.resourceId),
    id: { resolve: (r) => r.info.resourceId },
    fields: (t) => ({
      payload: t.field({ type: payload, resolve: (r) => r.data.payload as never }),
      artifact: t.field({
        type: artifact,
        nullable: true,
        description: "The output of the completed run.",
        resolve: (r) => r.data.artifact as never,
      }),
      revisions: t.connection(
        {
          type: revision,
          description: "Every revision, oldest first: the job's audit history.",
          resolve: async (r, args) => {
            const request = pageRequest(args);
            const numeric = (cursor: string | undefined, field: string) => {
              if (cursor === undefined) return undefined;
              const n = Number(cursor);
              if (!Number.isInteger(n) || n < 0 || n > MAX_REVISION) {
                throw new ValidationError(
                  [{ path: [field], message: "is not a revision cursor" }],
                  "invalid page",
                );
              }
              return n;
            };
            const page = await model.manager.listRevisions(r.info.resourceId, {
              order: request.inverted ? "desc" : "asc",
              limit: Math.max(request.limit, 1),
              after: numeric(request.after, "after"),
              before: numeric(request.before, "before"),
            });
            return request.limit === 0
              ? emptyConnection<JobResource>(page.totalCount)
              : toConnection(page, request);
          },
        },
        connectionOptions(`${model.typeName}Revision`),
        edgeOptions(`${model.typeName}Revision`),
      ),
    }),
  });
  return ref;
}

/** The largest revision number (a PostgreSQL integer). */
const MAX_REVISION = 2 ** 31 - 1;

function belongsTo(model: GraphQLModel, resourceId: string): boolean {
  return resourceId.startsWith(`${model.registered.schema.key}:`);
}

function addSubmitInput(builder: Builder, model: GraphQLModel) {
  const payload = zodInputType(
    builder,
    model.registered.schema.model.payloadSchema,
    model.payloadTypeName,
    model.typeName,
    { path: ["payload"] },
  );
  return builder.inputType(`Submit${model.typeName}Input`, {
    description: `A new ${model.typeName}: its payload and job options.`,
    fields: (t) => ({
      payload: t.field({ type: payload, required: true }),
      maxRetries: t.int({ required: false, description: "Failed runs to retry. Default: the queue's (3)." }),
      idempotencyKey: t.string({
        required: false,
        description:
          "A second submit with the same key and payload returns the first job; another payload is a CONFLICT.",
      }),
      partitionKey: t.string({ required: false }),
      periodicIntervalSeconds: t.float({ required: false }),
      periodicMaxRuns: t.int({ required: false }),
      periodicInitialDelaySeconds: t.float({ required: false }),
      priority: t.int({
        required: false,
        description: "Higher runs first among due jobs, from -32767 to 32767. Default: 0.",
      }),
      timeoutSeconds: t.float({
        required: false,
        description: "A run taking longer fails (a retry spent). Default: the model's limit.",
      }),
      runAt: t.field({
        type: "DateTime",
        required: false,
        description: "Not before this time (instead of periodicInitialDelaySeconds). Default: at once.",
      }),
    }),
  });
}

/** The arguments of a submit input, as the resource manager takes them. */
export interface SubmitArgs {
  payload: unknown;
  maxRetries?: number | null;
  idempotencyKey?: string | null;
  partitionKey?: string | null;
  periodicIntervalSeconds?: number | null;
  periodicMaxRuns?: number | null;
  periodicInitialDelaySeconds?: number | null;
  priority?: number | null;
  timeoutSeconds?: number | null;
  runAt?: Date | null;
}

/** Submits a job from GraphQL input, as `jobs`' principal, and returns it as submitted. */
export async function submit(model: GraphQLModel, jobs: JobAccess, input: SubmitArgs): Promise<JobResource> {
  return jobs.submit(toJobInit(model, input) as never);
}

/** Most jobs one list submit takes. */
export const MAX_SUBMIT_LIST = 1000;

/** Submits many jobs from GraphQL input in one transaction (all or none), in order. */
export async function submitMany(
  model: GraphQLModel,
  jobs: JobAccess,
  inputs: readonly SubmitArgs[],
): Promise<JobResource[]> {
  if (inputs.length > MAX_SUBMIT_LIST) {
    throw new ValidationError(
      [{ path: ["input"], message: `must hold at most ${MAX_SUBMIT_LIST} jobs, not ${inputs.length}` }],
      `invalid ${model.typeName} list`,
    );
  }
  return jobs.submitMany(inputs.map((input) => toJobInit(model, input)) as never);
}

function toJobInit(model: GraphQLModel, input: SubmitArgs): JobInit<unknown> {
  return {
    payload: dropOptionalNulls(model.registered.schema.model.payloadSchema, input.payload),
    maxRetries: input.maxRetries ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    partitionKey: input.partitionKey ?? null,
    periodicIntervalSeconds: input.periodicIntervalSeconds ?? null,
    periodicMaxRuns: input.periodicMaxRuns ?? null,
    periodicInitialDelaySeconds: input.periodicInitialDelaySeconds ?? null,
    priority: input.priority ?? null,
    timeoutSeconds: input.timeoutSeconds ?? null,
    runAt: input.runAt ?? null,
  };
}

function addQueries(
  builder: Builder,
  model: GraphQLModel,
  common: CommonTypes,
  job: ReturnType<typeof addJobType>,
) {
  builder.queryField(model.fieldName, (t) =>
    t.field({
      type: job,
      nullable: true,
      description: `A ${model.typeName} by id (a NOT_FOUND error if there is none).`,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, args, ctx) => jobsOf(model, ctx).get(String(args.id)),
    }),
  );
  const payloadWhere = addPayloadWhere(builder, model);
  builder.queryField(`${model.fieldName}s`, (t) =>
    t.connection(
      {
        type: job,
        description: `${model.typeName} jobs, filtered and sorted (default: newest first).`,
        args: {
          where: t.arg({ type: common.jobWhere, required: false }),
          orderBy: t.arg({ type: common.jobOrder, required: false }),
          ...(payloadWhere
            ? {
                payload: t.arg({
                  type: payloadWhere,
                  required: false,
                  description: "Conditions on payload fields (equality; ranges for numbers and dates).",
                }),
              }
            : {}),
        },
        resolve: async (_root, args, ctx) => {
          const request = pageRequest(args);
          const page = await jobsOf(model, ctx).list({
            ...listOptions(args.where, args.orderBy, request),
            ...payloadArg(args),
          });
          return request.limit === 0
            ? emptyConnection<JobResource>(page.totalCount)
            : toConnection(page, request);
        },
      },
      connectionOptions(model.typeName),
      edgeOptions(model.typeName),
    ),
  );
}

/** The `payload` argument, nulls dropped, as `list` takes it. */
function payloadArg(args: object): { payload?: Record<string, Record<string, unknown>> } {
  const given = (args as { payload?: Record<string, Record<string, unknown> | null> | null }).payload;
  if (!given) return {};
  const payload: Record<string, Record<string, unknown>> = {};
  for (const [field, condition] of Object.entries(given)) {
    if (!condition) continue;
    payload[field] = Object.fromEntries(
      Object.entries(condition).filter(([, v]) => v !== null && v !== undefined),
    );
  }
  return { payload };
}

function addMutations(
  builder: Builder,
  model: GraphQLModel,
  job: ReturnType<typeof addJobType>,
  submitInput: ReturnType<typeof addSubmitInput>,
) {
  builder.mutationField(`submit${model.typeName}`, (t) =>
    t.field({
      type: job,
      description: `Validates and enqueues a new ${model.typeName}; returns it as submitted.`,
      args: { input: t.arg({ type: submitInput, required: true }) },
      resolve: (_root, args, ctx) => submit(model, jobsOf(model, ctx), args.input as SubmitArgs),
    }),
  );
  builder.mutationField(`submit${model.typeName}s`, (t) =>
    t.field({
      type: [job],
      description: `Validates and enqueues many new ${model.typeName}s in one transaction: all or, if any is invalid, none (errors name each bad one by its index). At most ${MAX_SUBMIT_LIST}. Returns them as submitted, in order.`,
      args: { input: t.arg({ type: [submitInput], required: true }) },
      resolve: (_root, args, ctx) =>
        submitMany(model, jobsOf(model, ctx), args.input as readonly SubmitArgs[]),
    }),
  );
  builder.mutationField(`migrate${model.typeName}s`, (t) =>
    t.int({
      description: `Migrates every stored ${model.typeName} at an older schema version to the current one (admin only); returns how many were migrated.`,
      resolve: (_root, _args, ctx) => jobsOf(model, ctx).migrate(),
    }),
  );
  builder.mutationField(`rerun${model.typeName}`, (t) =>
    t.field({
      type: job,
      description: "Runs a finished job again (a CONFLICT error otherwise).",
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, args, ctx) => {
        const info = await jobsOf(model, ctx).rerun(String(args.id));
        return model.manager.get(info.resourceId, { revisionId: info.revisionId });
      },
    }),
  );
  builder.mutationField(`cancel${model.typeName}`, (t) =>
    t.field({
      type: job,
      description: "Cancels a pending or running job (a CONFLICT error if it has finished).",
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, args, ctx) => {
        const info = await jobsOf(model, ctx).cancel(String(args.id));
        return model.manager.get(info.resourceId, { revisionId: info.revisionId });
      },
    }),
  );
}

function addSubscriptions(
  builder: Builder,
  model: GraphQLModel,
  common: CommonTypes,
  job: ReturnType<typeof addJobType>,
  directory: ModelDirectory,
) {
  builder.subscriptionField(`${model.fieldName}Events`, (t) =>
    t.field({
      type: job,
      args: { where: t.arg({ type: common.jobEventWhere, required: false }) },
      description: `Each committed change of a ${model.typeName} the caller may subscribe to, as that revision.`,
      subscribe: (_root, args, ctx) =>
        holdSlot(ctx, async () => {
          const jobs = jobsOf(model, ctx);
          const statuses = (args.where?.status ?? null) as TaskStatus[] | null;
          return modelEvents(model, await directory.events(), statuses, (resource) =>
            jobs.may("subscribe", resource.info.resourceId),
          );
        }),
      resolve: (resource) => resource,
    }),
  );
}
