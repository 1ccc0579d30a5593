import { AsyncLocalStorage } from "node:async_hooks";

/** Who acts when nobody is named. */
export const ANONYMOUS = "anonymous";

const scope = new AsyncLocalStorage<string>();

/** Runs `fn` with `user` as the actor of every write it makes (unless a call names another). */
export function runAs<T>(user: string, fn: () => T): T {
  return scope.run(user, fn);
}

/** The actor: the explicit one, else the enclosing `runAs` scope's, else anonymous. */
export function actor(explicit?: string): string {
  return explicit ?? scope.getStore() ?? ANONYMOUS;
}
