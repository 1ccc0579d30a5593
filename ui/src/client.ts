// The GraphQL client: urql over HTTP for queries and mutations, graphql-ws for
// subscriptions, both carrying the bearer token when one is set.
import { createClient as createWsClient } from "graphql-ws";
import { Client, type CombinedError, fetchExchange, subscriptionExchange } from "urql";
import { authHeaders } from "./auth.ts";

/** The API's path, on the origin that served the UI. */
export const GRAPHQL_PATH = "/graphql";

const connectedListeners = new Set<() => void>();

/**
 * Calls `listener` each time the WebSocket connection is acknowledged, the first time
 * included: events committed before then were not heard (while it was down, or between a
 * page's first read and its subscription), so what is shown should be read again.
 * Returns the unsubscribe.
 */
export function onConnected(listener: () => void): () => void {
  connectedListeners.add(listener);
  return () => connectedListeners.delete(listener);
}

/**
 * A urql client for the API, with `token` (if any) on every request. `onUnauthenticated`
 * hears the server's reason when it closes the live connection for want of credentials.
 */
export function createClient(token: string | null, onUnauthenticated: (reason: string) => void): Client {
  const wsUrl = new URL(GRAPHQL_PATH, window.location.href);
  wsUrl.protocol = wsUrl.protocol === "https:" ? "wss:" : "ws:";
  const ws = createWsClient({
    url: wsUrl.toString(),
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    // An operator's page should be live again soon after the server is: graphql-ws's own
    // backoff doubles without bound; here it grows from 0.5 s to at most 3 s, with jitter.
    retryWait: (retries) =>
      new Promise((resolve) =>
        setTimeout(resolve, Math.min(500 * 2 ** retries, 3000) * (0.75 + Math.random() / 2)),
      ),
    connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}),
    on: {
      // Counting connections to skip the first would miss a drop before the first
      // acknowledgement: that page would never be read again.
      connected: () => {
        for (const listener of connectedListeners) listener();
      },
      closed: (event) => {
        // 4401 (no or wrong token) / 4403: the server refused the connection's credentials.
        // graphql-ws does not retry a 4401: the live updates stop until a new token is given.
        const { code, reason } = event as { code?: number; reason?: string };
        if (code === 4401 || code === 4403) onUnauthenticated(reason || `closed with ${code}`);
      },
    },
  });
  return new Client({
    url: GRAPHQL_PATH,
    requestPolicy: "network-only",
    fetchOptions: () => ({ headers: authHeaders(token) }),
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink),
          }),
        }),
      }),
    ],
  });
}

/** Whether an error means "who are you?": HTTP 401 or the UNAUTHENTICATED code. */
export function isUnauthenticated(error: CombinedError | undefined): boolean {
  if (!error) return false;
  const status = (error.response as Response | undefined)?.status;
  return status === 401 || error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED");
}

/** What to tell the operator about a failed operation: the server's own message. */
export function errorMessage(error: CombinedError): string {
  const first = error.graphQLErrors[0];
  if (first) return first.message;
  return error.networkError?.message ?? error.message;
}
