/**
 * jobstar: background jobs as versioned resources on PostgreSQL.
 * @packageDocumentation
 */
export {
  BadRequestError,
  ConfigurationError,
  ConflictError,
  DatabaseUnavailableError,
  type ErrorCode,
  ForbiddenError,
  JobstarError,
  LimitExceededError,
  MigrationError,
  ModelAlreadyRegisteredError,
  ModelNotRegisteredError,
  NotFoundError,
  PortInUseError,
  UnauthenticatedError,
  UnsupportedSchemaError,
  ValidationError,
  type ValidationIssue,
} from "./errors.js";
export type { EventBusOptions, JobEvent } from "./events/bus.js";
export { createLogger, type Logger, type LoggerOptions, type LogMethod } from "./log/logger.js";
export {
  DelayRetry,
  type HandlerContext,
  type HandlerResult,
  type JobHandler,
  NoRetry,
} from "./model/handler.js";
export { Job, type JobData, type JobInit, type JobInitOf, type JobModel, type JobOf } from "./model/job.js";
export { MIGRATION_USER, type PayloadStep } from "./model/migration.js";
export type { Action, AuthorizationPolicy, JobRef, Principal } from "./model/policy.js";
export type { ModelOptions } from "./model/registration.js";
export { Schema } from "./model/schema.js";
export { TaskStatus } from "./model/task-status.js";
export type { ListJobsOptions } from "./resource/all-jobs.js";
export { ADMIN_ROLE, defaultPolicy, JobAccess, VIEWER_ROLE } from "./resource/authorize.js";
export type {
  ConsumeOptions,
  ListOptions,
  ResourceManager,
  RevisionListOptions,
  StopOptions,
  WriteOptions,
} from "./resource/manager.js";
export type {
  JobLog,
  LogLevel,
  Page,
  Resource,
  ResourceMeta,
  RevisionInfo,
  RevisionStatus,
} from "./resource/types.js";
export type { PruneResult, RetentionOptions } from "./retention/pruner.js";
export { type ExportOptions, Spec, type SpecOptions, spec } from "./spec.js";
export type { ExportSink } from "./transfer/export.js";
export type { ImportResult } from "./transfer/import.js";
