/**
 * The REST edge as a graphql-yoga plugin: the routes, `/openapi.json` and `/docs` are
 * answered before yoga's GraphQL routing, on the same server, port and CORS policy.
 */
import type { Plugin } from "graphql-yoga";
import type { Spec } from "../spec.js";
import { docsPage } from "./docs-page.js";
import { openApiDocument } from "./openapi.js";
import { createRestRoutes, type RestRoutesOptions } from "./routes.js";

/** Where the REST API is served. */
export interface RestOptions {
  /** Path prefix of the routes. Default: `/api`. */
  basePath?: string;
  /** Path of the OpenAPI 3.1 document. Default: `/openapi.json`. */
  openApiPath?: string;
  /** Path of the docs page. Default: `/docs`. */
  docsPath?: string;
}

/**
 * Serves `spec`'s REST routes, its OpenAPI document and docs page (both public: they
 * describe shapes, not data). Identity comes from `identity`, as the GraphQL handler's.
 */
export function useRest(spec: Spec, options: RestOptions & Omit<RestRoutesOptions, "basePath"> = {}): Plugin {
  const basePath = options.basePath ?? "/api";
  const openApiPath = options.openApiPath ?? "/openapi.json";
  const docsPath = options.docsPath ?? "/docs";
  const routes = createRestRoutes(spec, { ...options, basePath });
  let document: string | null = null;
  return {
    async onRequest({ request, url, endResponse }) {
      if (request.method === "GET" && url.pathname === openApiPath) {
        document ??= JSON.stringify(
          openApiDocument(spec, { basePath, bearerAuth: options.authenticate !== undefined }),
        );
        return endResponse(
          new Response(document, { headers: { "content-type": "application/json; charset=utf-8" } }),
        );
      }
      if (request.method === "GET" && url.pathname === docsPath) {
        return endResponse(
          new Response(docsPage(openApiPath), { headers: { "content-type": "text/html; charset=utf-8" } }),
        );
      }
      const response = await routes(request, url);
      if (response) endResponse(response);
    },
  };
}
