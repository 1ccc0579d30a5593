import type { FieldRef } from "@pothos/core";
import { resolveArrayConnection } from "@pothos/plugin-relay";
import { NotFoundError } from "../../errors.js";
import { isTerminal, TASK_STATUSES, type TaskStatus } from "../../model/task-status.js";
import type { JobLog, ResourceMeta, RevisionInfo } from "../../resource/types.js";
import { jobsOf } from "../access.js";
import type { Builder, BuilderTypes } from "../builder.js";
import type { JobResource, ModelDirectory } from "../models.js";

/** The shared types every model's types build on. */
export interface CommonTypes {
  jobStatus: ReturnType<typeof addJobStatus>;
  revisionInfo: ReturnType<typeof addRevisionInfo>;
  resourceMeta: ReturnType<typeof addResourceMeta>;
  jobLog: ReturnType<typeof addJobLog>;
  jobState: ReturnType<typeof addJobState>;
  job: ReturnType<typeof addJob>;
  jobWhere: ReturnType<typeof addJobWhere>;
  jobOrder: ReturnType<typeof addJobOrder>;
  jobEventWhere: ReturnType<typeof addJobEventWhere>;
}

/** Registers the shared types. */
export function addCommonTypes(builder: Builder, directory: ModelDirectory): CommonTypes {
  const jobStatus = addJobStatus(builder);
  const revisionInfo = addRevisionInfo(builder);
  const resourceMeta = addResourceMeta(builder);
  const jobLog = addJobLog(builder);
  const jobState = addJobState(builder, jobStatus, revisionInfo);
  const job = addJob(builder, directory, jobState, resourceMeta, jobLog);
  return {
    jobStatus,
    revisionInfo,
    resourceMeta,
    jobLog,
    jobState,
    job,
    jobWhere: addJobWhere(builder, jobStatus),
    jobOrder: addJobOrder(builder),
    jobEventWhere: addJobEventWhere(builder, jobStatus),
  };
}

function addJobStatus(builder: Builder) {
  return builder.enumType("JobStatus", {
    description: "Where a job is in its life cycle.",
    values: Object.fromEntries(
      TASK_STATUSES.map((status) => [status.toUpperCase(), { value: status }]),
    ) as Record<string, { value: TaskStatus }>,
  });
}

function addRevisionInfo(builder: Builder) {
  return builder.objectRef<RevisionInfo>("RevisionInfo").implement({
    description: "Who made a revision of a job, when, and from which parent.",
    fields: (t) => ({
      resourceId: t.exposeID("resourceId"),
      revisionId: t.exposeID("revisionId"),
      parentRevisionId: t.exposeID("parentRevisionId", { nullable: true }),
      schemaVersion: t.exposeString("schemaVersion"),
      dataHash: t.exposeString("dataHash", {
        description: "SHA-256 of the revision's data as canonical JSON.",
      }),
      status: t.exposeString("status", {
        description: "`draft` while a run may still touch it, else `stable`.",
      }),
      createdTime: t.field({ type: "DateTime", resolve: (info) => info.createdTime }),
      createdBy: t.exposeString("createdBy"),
      updatedTime: t.field({ type: "DateTime", resolve: (info) => info.updatedTime }),
      updatedBy: t.exposeString("updatedBy"),
    }),
  });
}

function addResourceMeta(builder: Builder) {
  return builder.objectRef<ResourceMeta>("ResourceMeta").implement({
    description: "A job resource as a whole: its current revision and how many there are.",
    fields: (t) => ({
      resourceId: t.exposeID("resourceId"),
      model: t.exposeString("model", {
        description: "The model's key: the resource id prefix, e.g. `training-job`.",
      }),
      currentRevisionId: t.exposeID("currentRevisionId"),
      totalRevisionCount: t.exposeInt("totalRevisionCount"),
      schemaVersion: t.exposeString("schemaVersion"),
      isDeleted: t.exposeBoolean("isDeleted"),
      createdTime: t.field({ type: "DateTime", resolve: (meta) => meta.createdTime }),
      createdBy: t.exposeString("createdBy"),
      updatedTime: t.field({ type: "DateTime", resolve: (meta) => meta.updatedTime }),
      updatedBy: t.exposeString("updatedBy"),
    }),
  });
}

function addJobLog(builder: Builder) {
  return builder.objectRef<JobLog>("JobLog").implement({
    description: "A line a handler logged.",
    fields: (t) => ({
      run: t.exposeInt("run", { description: "The revision number of the run's PROCESSING revision." }),
      time: t.field({ type: "DateTime", resolve: (log) => log.time }),
      level: t.exposeString("level"),
      message: t.exposeString("message"),
    }),
  });
}

function addJobState(
  builder: Builder,
  jobStatus: ReturnType<typeof addJobStatus>,
  revisionInfo: ReturnType<typeof addRevisionInfo>,
) {
  return builder.interfaceRef<JobResource>("JobState").implement({
    description: "A job's state as of one revision.",
    fields: (t) => ({
      status: t.field({ type: jobStatus, resolve: (r) => r.data.status }),
      errmsg: t.string({
        nullable: true,
        description: "Why the last run failed.",
        resolve: (r) => r.data.errmsg,
      }),
      retries: t.int({ description: "Failed runs so far.", resolve: (r) => r.data.retries }),
      maxRetries: t.int({ nullable: true, resolve: (r) => r.data.maxRetries }),
      periodicIntervalSeconds: t.float({ nullable: true, resolve: (r) => r.data.periodicIntervalSeconds }),
      periodicMaxRuns: t.int({ nullable: true, resolve: (r) => r.data.periodicMaxRuns }),
      periodicRuns: t.int({ resolve: (r) => r.data.periodicRuns }),
      periodicInitialDelaySeconds: t.float({
        nullable: true,
        resolve: (r) => r.data.periodicInitialDelaySeconds,
      }),
      lastHeartbeatAt: t.field({ type: "DateTime", nullable: true, resolve: (r) => r.data.lastHeartbeatAt }),
      partitionKey: t.string({ nullable: true, resolve: (r) => r.data.partitionKey }),
      idempotencyKey: t.string({ nullable: true, resolve: (r) => r.data.idempotencyKey }),
      priority: t.int({
        description: "Higher runs first among due jobs. Default: 0.",
        resolve: (r) => r.data.priority ?? 0,
      }),
      timeoutSeconds: t.float({
        nullable: true,
        description: "The job's own run time limit (null: the model's).",
        resolve: (r) => r.data.timeoutSeconds ?? null,
      }),
      runAt: t.field({
        type: "DateTime",
        nullable: true,
        description: "When the first run was asked for (null: at once or after the initial delay).",
        resolve: (r) => r.data.runAt ?? null,
      }),
      info: t.field({ type: revisionInfo, resolve: (r) => r.info }),
    }),
  });
}

function addJob(
  builder: Builder,
  directory: ModelDirectory,
  jobState: ReturnType<typeof addJobState>,
  resourceMeta: ReturnType<typeof addResourceMeta>,
  jobLog: ReturnType<typeof addJobLog>,
) {
  const managerOf = (resourceId: string) => {
    const model = directory.ofResourceId(resourceId);
    if (!model) throw new NotFoundError("job model of", resourceId);
    return model.manager;
  };
  return builder.interfaceRef<JobResource>("Job").implement({
    description: "A job of any model, at its current revision.",
    interfaces: [builder.nodeInterfaceRef(), jobState],
    resolveType: (r) => directory.ofResourceId(r.info.resourceId)?.typeName ?? null,
    fields: (t) => ({
      model: t.string({
        description: "The model's name, e.g. `TrainingJob`.",
        resolve: (r) => directory.ofResourceId(r.info.resourceId)?.typeName ?? "",
      }),
      viewerCanCancel: t.boolean({
        description:
          "Whether the caller may cancel this job now: it is allowed to, and the job has not finished.",
        resolve: (r, _args, ctx) => {
          const model = directory.ofResourceId(r.info.resourceId);
          if (!model || isTerminal(r.data.status)) return false;
          return jobsOf(model, ctx).may("cancel", r.info.resourceId);
        },
      }),
      viewerCanRerun: t.boolean({
        description: "Whether the caller may rerun this job now: it is allowed to, and the job has finished.",
        resolve: (r, _args, ctx) => {
          const model = directory.ofResourceId(r.info.resourceId);
          if (!model || !isTerminal(r.data.status)) return false;
          return jobsOf(model, ctx).may("rerun", r.info.resourceId);
        },
      }),
      meta: t.field({
        type: resourceMeta,
        resolve: (r) => managerOf(r.info.resourceId).getMeta(r.info.resourceId),
      }),
      logs: t.connection(
        {
          type: jobLog,
          description: "Lines the handler logged, oldest first.",
          resolve: async (r, args) => {
            const logs = await managerOf(r.info.resourceId).getLogs(r.info.resourceId);
            return { ...resolveArrayConnection({ args }, logs), totalCount: logs.length };
          },
        },
        connectionOptions("JobLog"),
        edgeOptions("JobLog"),
      ),
    }),
  });
}

function addJobWhere(builder: Builder, jobStatus: ReturnType<typeof addJobStatus>) {
  return builder.inputType("JobWhere", {
    description: "Which jobs to list. Time bounds: after is inclusive, before exclusive.",
    fields: (t) => ({
      status: t.field({ type: [jobStatus], required: false }),
      createdBy: t.string({ required: false }),
      createdAfter: t.field({ type: "DateTime", required: false }),
      createdBefore: t.field({ type: "DateTime", required: false }),
      updatedAfter: t.field({ type: "DateTime", required: false }),
      updatedBefore: t.field({ type: "DateTime", required: false }),
      partitionKey: t.string({ required: false }),
    }),
  });
}

function addJobEventWhere(builder: Builder, jobStatus: ReturnType<typeof addJobStatus>) {
  return builder.inputType("JobEventWhere", {
    description: "Which changes to stream.",
    fields: (t) => ({
      status: t.field({
        type: [jobStatus],
        required: false,
        description: "Only changes into these statuses.",
      }),
    }),
  });
}

function addJobOrder(builder: Builder) {
  const field = builder.enumType("JobOrderField", {
    values: {
      CREATED_TIME: { value: "createdTime" as const },
      UPDATED_TIME: { value: "updatedTime" as const },
    },
  });
  const direction = builder.enumType("OrderDirection", {
    values: { ASC: { value: "asc" as const }, DESC: { value: "desc" as const } },
  });
  return builder.inputType("JobOrder", {
    description: "How to sort jobs; ties are broken by id. Default: newest first.",
    fields: (t) => ({
      field: t.field({ type: field, required: true }),
      direction: t.field({ type: direction, required: true }),
    }),
  });
}

/** Options of a connection type: named `<Node>Connection`, with `totalCount`. */
export function connectionOptions(node: string): ConnectionOptions {
  return {
    name: `${node}Connection`,
    fields: (t: ConnectionFieldBuilder) => ({
      totalCount: t.int({
        description: "How many items match, over all pages.",
        resolve: (c) => c.totalCount,
      }),
    }),
  };
}

type ConnectionFieldBuilder = PothosSchemaTypes.ObjectFieldBuilder<
  PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>,
  { totalCount: number }
>;

// Spelled out so that the emitted declarations need not name Pothos's internal modules.
interface ConnectionOptions {
  name: string;
  fields: (t: ConnectionFieldBuilder) => {
    totalCount: FieldRef<PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>, number | null, "Object">;
  };
}

/** Options of an edge type: named `<Node>Edge`. */
export function edgeOptions(node: string) {
  return { name: `${node}Edge` };
}
