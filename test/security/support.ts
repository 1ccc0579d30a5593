// Shared by the security tests: an API server with bearer tokens for four users, raw
// HTTP and graphql-ws clients that report codes and statuses instead of throwing.
import { type CloseCode, createClient } from "graphql-ws";
import WebSocket from "ws";

/** The users of the tests: an owner, another user, a viewer and an admin. */
export const TOKENS = "alice:token-alice,bob:token-bob,vera:token-vera:viewer,root:token-root:admin";

/** Who calls: a token's user, no token at all, or a token the server does not know. */
export type Caller = "owner" | "other" | "viewer" | "admin" | "no token" | "wrong token";

/** The bearer token of each caller (null: no Authorization at all). */
export const TOKEN_OF: Record<Caller, string | null> = {
  owner: "token-alice",
  other: "token-bob",
  viewer: "token-vera",
  admin: "token-root",
  "no token": null,
  "wrong token": "token-mallory",
};

/** A GraphQL response: HTTP status, data and the errors' codes. */
export interface Reply<T = Record<string, unknown>> {
  status: number;
  data: T | null;
  errors: { message: string; extensions?: Record<string, unknown> }[];
  codes: string[];
  headers: Headers;
}

/** Posts one operation to `url` as `caller` (or with raw `init` overrides). */
export async function post<T = Record<string, unknown>>(
  url: string,
  caller: Caller,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const token = TOKEN_OF[caller];
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return toReply<T>(response);
}

/** Parses a response as a GraphQL reply (any JSON error body included). */
export async function toReply<T>(response: Response): Promise<Reply<T>> {
  const text = await response.text();
  let body: { data?: T | null; errors?: Reply["errors"] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { errors: [{ message: text }] };
  }
  const errors = body.errors ?? [];
  return {
    status: response.status,
    data: body.data ?? null,
    errors,
    codes: errors.map((error) => String(error.extensions?.code ?? "")),
    headers: response.headers,
  };
}

/** A graphql-ws connection as `caller`, recording how it closed. */
export function wsAs(url: string, caller: Caller, extra: Record<string, unknown> = {}) {
  const token = TOKEN_OF[caller];
  let closeCode: number | null = null;
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra },
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => (closeCode = (event as { code: CloseCode | number }).code) },
  });
  return {
    client,
    closeCode: () => closeCode,
    /** The first result of an operation, or the error it ended with. */
    async first(query: string, variables: Record<string, unknown> = {}) {
      const results = client.iterate({ query, variables });
      try {
        for await (const result of results) return { result, error: null };
        return { result: null, error: null };
      } catch (error) {
        return { result: null, error };
      } finally {
        await results.return?.();
      }
    },
    dispose: () => client.dispose(),
  };
}

/** The codes of graphql-ws errors (an array of GraphQL errors) or a close event's code. */
export function codesOf(error: unknown): string[] {
  if (Array.isArray(error))
    return error.map((e) => String((e as { extensions?: { code?: string } }).extensions?.code));
  if (error && typeof error === "object" && "code" in error)
    return [`close:${(error as { code: number }).code}`];
  return [String(error)];
}

/** Waits until `done()` holds, checking every 50 ms; fails after `timeoutMs`. */
export async function until(done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
