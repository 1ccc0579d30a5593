import { LimitExceededError, NotFoundError, ValidationError } from "../../errors.js";
import { holdSlot, jobsOf } from "../access.js";
import type { Builder } from "../builder.js";
import { emptyConnection, pageRequest, toConnection } from "../connection.js";
import type { GraphQLContext } from "../context.js";
import { DEFAULT_LIMITS } from "../limits.js";
import { listOptions } from "../list-options.js";
import type { GraphQLModel, JobResource, ModelDirectory } from "../models.js";
import { jobStates } from "../streams.js";
import { toJsonSchema } from "../zod/index.js";
import { type CommonTypes, connectionOptions, edgeOptions } from "./common.js";
import { type ModelTypes, type SubmitArgs, submit } from "./model.js";

/** Registers the fields that serve every model: `job`, `jobModels`, `submitJob`, `jobStatus`. */
export function addGenericFields(
  builder: Builder,
  common: CommonTypes,
  directory: ModelDirectory,
  models: ModelTypes[],
): void {
  const modelOf = (id: string): GraphQLModel => {
    const model = directory.ofResourceId(id);
    if (!model) throw new NotFoundError("job", id);
    return model;
  };

  builder.queryField("job", (t) =>
    t.field({
      type: common.job,
      nullable: true,
      description: "A job of any model by id (a NOT_FOUND error if there is none).",
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, args, ctx) => jobsOf(modelOf(String(args.id)), ctx).get(String(args.id)),
    }),
  );

  // `node`/`nodes` (Relay): an id of no model, or of no job, is null; other failures stay errors.
  const loadNode = async (id: string, ctx: GraphQLContext) => {
    const model = directory.ofResourceId(id);
    if (!model) return null;
    return jobsOf(model, ctx)
      .get(id)
      .catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
  };
  builder.queryField("node", (t) =>
    t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, args, ctx) => loadNode(String(args.id), ctx),
    }),
  );
  builder.queryField("nodes", (t) =>
    t.field({
      type: [builder.nodeInterfaceRef()],
      nullable: { list: false, items: true },
      args: { ids: t.arg.idList({ required: true }) },
      description: "Jobs by id, in order; null for an id of no job. At most `limits.maxNodes` ids (100).",
      resolve: (_root, args, ctx) => {
        const max = ctx.limits?.maxNodes ?? DEFAULT_LIMITS.maxNodes;
        if (args.ids.length > max) {
          throw new LimitExceededError("maxNodes", `ids: at most ${max} ids per nodes() (limits.maxNodes)`);
        }
        return args.ids.map((id) => loadNode(String(id), ctx));
      },
    }),
  );

  builder.queryField("jobs", (t) =>
    t.connection(
      {
        type: common.job,
        description:
          "Jobs of every model (or `models`), filtered and sorted (default: newest first): what the caller may read.",
        args: {
          where: t.arg({ type: common.jobWhere, required: false }),
          orderBy: t.arg({ type: common.jobOrder, required: false }),
          models: t.arg.stringList({ required: false, description: "Model names or keys. Default: all." }),
        },
        resolve: async (_root, args, ctx) => {
          const request = pageRequest(args);
          const page = await directory.listJobs({
            principal: ctx.principal ?? null,
            ...(args.models ? { models: args.models } : {}),
            ...listOptions(args.where, args.orderBy, request),
          });
          return request.limit === 0
            ? emptyConnection<JobResource>(page.totalCount)
            : toConnection(page, request);
        },
      },
      connectionOptions("Job"),
      edgeOptions("Job"),
    ),
  );

  const jobModel = builder.objectRef<GraphQLModel>("JobModel").implement({
    description: "A registered job model: what a generic client needs to submit and show its jobs.",
    fields: (t) => ({
      name: t.string({ resolve: (m) => m.typeName }),
      key: t.string({ description: "The resource id prefix.", resolve: (m) => m.registered.schema.key }),
      version: t.string({ resolve: (m) => m.registered.schema.version }),
      payloadSchema: t.field({
        type: "JSON",
        description: "JSON Schema of the payload.",
        resolve: (m) => toJsonSchema(m.registered.schema.model.payloadSchema, { io: "input" }),
      }),
      artifactSchema: t.field({
        type: "JSON",
        nullable: true,
        description: "JSON Schema of the artifact, if the model declares one.",
        resolve: (m) => {
          const schema = m.registered.schema.model.artifactSchema;
          return schema ? toJsonSchema(schema) : null;
        },
      }),
    }),
  });
  builder.queryField("jobModels", (t) =>
    t.field({ type: [jobModel], description: "The registered job models.", resolve: () => directory.models }),
  );

  if (models.length > 0) {
    const submitJobInput = builder.inputType("SubmitJobInput", {
      description: "A new job of exactly one model.",
      isOneOf: true,
      fields: (t) =>
        Object.fromEntries(
          models.map((m) => [m.model.fieldName, t.field({ type: m.submitInput, required: false })]),
        ),
    });
    builder.mutationField("submitJob", (t) =>
      t.field({
        type: common.job,
        description: "Submits a job of the model named by the input's one field.",
        args: { input: t.arg({ type: submitJobInput, required: true }) },
        resolve: (_root, args, ctx) => {
          const entries = Object.entries(args.input as Record<string, unknown>).filter(([, v]) => v != null);
          const [fieldName, input] = entries[0] ?? [];
          const model = directory.models.find((m) => m.fieldName === fieldName);
          if (!model || entries.length !== 1) {
            throw new ValidationError(
              [{ path: ["input"], message: "must name exactly one job model" }],
              "invalid submitJob",
            );
          }
          return submit(model, jobsOf(model, ctx), input as SubmitArgs);
        },
      }),
    );
  }

  builder.subscriptionField("jobStatus", (t) =>
    t.field({
      type: common.job,
      description: "A job's current state, then each committed change; completes after a terminal state.",
      args: { id: t.arg.id({ required: true }) },
      subscribe: (_root, args, ctx) =>
        holdSlot(ctx, async () => {
          const id = String(args.id);
          const model = modelOf(id);
          // NOT_FOUND or FORBIDDEN now, not a stream that never starts
          await jobsOf(model, ctx).check("subscribe", id);
          return jobStates(model, await directory.events(), id);
        }),
      resolve: (resource) => resource,
    }),
  );
}

/** Registers `viewer`: who the server takes the caller to be. */
export function addViewer(builder: Builder): void {
  const viewer = builder.objectRef<GraphQLContext>("Viewer").implement({
    description: "The caller, as the server authenticated it.",
    fields: (t) => ({
      user: t.string({
        nullable: true,
        description: "The name writes are recorded under.",
        resolve: (ctx) => ctx.user,
      }),
      roles: t.stringList({ resolve: (ctx) => ctx.principal?.roles ?? [] }),
      authenticated: t.boolean({
        description: "Whether the server checked credentials (false on a server that authenticates nobody).",
        resolve: (ctx) => Boolean(ctx.principal),
      }),
    }),
  });
  builder.queryField("viewer", (t) =>
    t.field({ type: viewer, description: "Who the caller is.", resolve: (_root, _args, ctx) => ctx }),
  );
}
