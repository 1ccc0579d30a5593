/**
 * Typed errors with stable codes. Every error jobstar throws on purpose is a
 * {@link JobstarError}; the GraphQL edge maps `code` to `extensions.code` once.
 */

/** Stable, machine-readable error codes. */
export type ErrorCode =
  | "VALIDATION_FAILED"
  | "NOT_FOUND"
  | "CONFLICT"
  | "MODEL_NOT_REGISTERED"
  | "MODEL_ALREADY_REGISTERED"
  | "UNSUPPORTED_SCHEMA"
  | "CONFIGURATION"
  | "JOB_TIMEOUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_REQUEST"
  | "LIMIT_EXCEEDED"
  | "DATABASE_UNAVAILABLE"
  | "PORT_IN_USE"
  | "BROKER_UNAVAILABLE"
  | "MIGRATION_FAILED";

/** Base class of all jobstar errors. */
export class JobstarError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One failed rule: where (`path`, e.g. `["payload", "algo"]`) and why. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

/** Input broke a rule (schema, size, option range). Nothing was written. */
export class ValidationError extends JobstarError {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[], context = "invalid input") {
    super("VALIDATION_FAILED", `${context}: ${issues.map(formatIssue).join("; ")}`);
    this.issues = issues;
  }
}

function formatIssue(issue: ValidationIssue): string {
  return issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
}

/** A resource or revision id that does not exist. */
export class NotFoundError extends JobstarError {
  constructor(what: string, id: string) {
    super("NOT_FOUND", `${what} not found: ${id}`);
  }
}

/** The operation is not allowed in the resource's current state. */
export class ConflictError extends JobstarError {
  constructor(message: string) {
    super("CONFLICT", message);
  }
}

/** A model was used before `spec.addModel` registered it. */
export class ModelNotRegisteredError extends JobstarError {
  constructor(model: string) {
    super("MODEL_NOT_REGISTERED", `model is not registered: ${model}`);
  }
}

/** `spec.addModel` was called twice for one model. */
export class ModelAlreadyRegisteredError extends JobstarError {
  constructor(model: string) {
    super("MODEL_ALREADY_REGISTERED", `model is already registered: ${model}`);
  }
}

/** A zod schema uses a construct that cannot be exposed (e.g. in GraphQL). */
export class UnsupportedSchemaError extends JobstarError {
  constructor(model: string, path: (string | number)[], reason: string) {
    super("UNSUPPORTED_SCHEMA", `model ${model}, field ${path.join(".") || "(root)"}: ${reason}`);
  }
}

/** jobstar was configured inconsistently (e.g. configure after start). */
export class ConfigurationError extends JobstarError {
  constructor(message: string) {
    super("CONFIGURATION", message);
  }
}

/** No valid credentials came with a request to a server that requires them. */
export class UnauthenticatedError extends JobstarError {
  constructor(message = "authentication required: send Authorization: Bearer <token>") {
    super("UNAUTHENTICATED", message);
  }
}

/** The acting principal may not do this to this job. Nothing was written. */
export class ForbiddenError extends JobstarError {
  readonly action: string;

  constructor(action: string, target: string) {
    super("FORBIDDEN", `not allowed to ${action} ${target}`);
    this.action = action;
  }
}

/** A request that is malformed as a whole (not one input field): wrong content type, bad values. */
export class BadRequestError extends JobstarError {
  constructor(message: string) {
    super("BAD_REQUEST", message);
  }
}

/** A request went over one of the server's limits (`limit` names which, as in the options). */
export class LimitExceededError extends JobstarError {
  readonly limit: string;

  constructor(limit: string, message: string) {
    super("LIMIT_EXCEEDED", message);
    this.limit = limit;
  }
}

/** The database could not be reached or refused the connection; the message names the setting and the fix. */
export class DatabaseUnavailableError extends JobstarError {
  /** The setting that holds the database URL (e.g. `DATABASE_URL`). */
  readonly setting: string;

  constructor(setting: string, message: string, options?: ErrorOptions) {
    super("DATABASE_UNAVAILABLE", message, options);
    this.setting = setting;
  }
}

/** The API server's port is taken by another process. */
export class PortInUseError extends JobstarError {
  constructor(
    readonly port: number,
    readonly host: string,
    fix = "stop the process that holds it or choose another port",
  ) {
    super("PORT_IN_USE", `port ${port} on ${host} is already in use: ${fix}`);
  }
}

/** A message broker (RabbitMQ, Redis) did not take or confirm a message in time; its outbox row stays for the next try. */
export class BrokerUnavailableError extends JobstarError {
  constructor(message: string, options?: ErrorOptions) {
    super("BROKER_UNAVAILABLE", message, options);
  }
}

/** A stored payload could not be migrated to the model's schema version. */
export class MigrationError extends JobstarError {
  constructor(message: string, options?: ErrorOptions) {
    super("MIGRATION_FAILED", message, options);
  }
}
