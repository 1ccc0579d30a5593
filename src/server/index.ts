/**
 * The GraphQL API server: `import { createServer } from "jobstar/server"`.
 * @packageDocumentation
 */
export type { GraphQLContext } from "../graphql/context.js";
export type { RequestLimits } from "../graphql/limits.js";
export { DEFAULT_LIMITS } from "../graphql/limits.js";
export { buildSchema } from "../graphql/schema.js";
export {
  type Authenticate,
  createGraphQLHandler,
  type GraphQLHandler,
  type GraphQLHandlerOptions,
  type RequestSource,
} from "../graphql/yoga.js";
export { createMetrics, type JobstarMetrics, type MetricsOptions } from "../metrics/index.js";
export type { Action, AuthorizationPolicy, JobRef, Principal } from "../model/policy.js";
export { bearerTokens, parseTokens, type TokenEntry } from "./auth.js";
export { createServer, type JobstarServer, type ServerLimits, type ServerOptions } from "./server.js";
