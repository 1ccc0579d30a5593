/**
 * The GraphQL API server: `import { createServer } from "jobstar/server"`.
 * @packageDocumentation
 */
export type { GraphQLContext } from "../graphql/context.js";
export { buildSchema } from "../graphql/schema.js";
export {
  createGraphQLHandler,
  type GraphQLHandler,
  type GraphQLHandlerOptions,
  type RequestSource,
} from "../graphql/yoga.js";
export { createMetrics, type JobstarMetrics, type MetricsOptions } from "../metrics/index.js";
export { createServer, type JobstarServer, type ServerOptions } from "./server.js";
