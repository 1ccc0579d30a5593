// The operator's bearer token: kept in session storage (gone when the tab closes), sent
// on every HTTP request and in graphql-ws connectionParams while set.
import { useSyncExternalStore } from "react";

const KEY = "jobstar.token";
const listeners = new Set<() => void>();

/** The token, or null when none is set. */
export function getToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** Sets (or, with null or "", clears) the token; clients are rebuilt with it. */
export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

/** The current token, re-rendering when it changes. */
export function useToken(): string | null {
  return useSyncExternalStore((listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, getToken);
}

/** The HTTP headers that carry the token. */
export function authHeaders(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}
