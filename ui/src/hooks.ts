// Typed urql hooks over the UI's operations (static ones from codegen, dynamic ones
// from dynamic.ts), always from the network: the UI shows live data, not a cache.
import { useEffect, useRef } from "react";
import { type AnyVariables, type UseQueryState, useMutation, useQuery, useSubscription } from "urql";
import { onConnected } from "./client.ts";
import type { Operation } from "./dynamic.ts";
import type { TypedDocumentString } from "./gql/graphql.ts";

type Op<TData, TVariables> = Operation<TData, TVariables> | TypedDocumentString<TData, TVariables>;

function text<TData, TVariables>(op: Op<TData, TVariables>): string {
  return "query" in op ? op.query : op.toString();
}

/** Runs a query; `refetch()` asks again (keeping the data shown meanwhile). */
export function useOperation<TData, TVariables extends AnyVariables>(
  op: Op<TData, TVariables>,
  variables: TVariables,
  pause = false,
): [UseQueryState<TData, TVariables>, () => void] {
  // urql types `variables` as optional or required depending on TVariables; it is always
  // given here, so the cast only bridges that conditional type.
  const [state, reexecute] = useQuery<TData, TVariables>({
    query: text(op),
    variables,
    pause,
    requestPolicy: "network-only",
  } as never);
  return [state, () => reexecute({ requestPolicy: "network-only" })];
}

/** Calls `onData` with each event of a subscription while mounted. */
export function useLive<TData, TVariables extends AnyVariables>(
  op: Op<TData, TVariables>,
  variables: TVariables,
  onData: (data: TData) => void,
  pause = false,
): void {
  const handler = useRef(onData);
  handler.current = onData;
  const [state] = useSubscription<TData, TData, TVariables>(
    { query: text(op), variables, pause } as never,
    (_previous, data) => {
      handler.current(data);
      return data;
    },
  );
  if (state.error) console.warn("subscription:", state.error.message);
}

/** A mutation by operation. */
export function useAction<TData, TVariables extends AnyVariables>(op: Op<TData, TVariables>) {
  return useMutation<TData, TVariables>(text(op));
}

/** Calls `callback` every `ms` while `active`. */
export function useInterval(callback: () => void, ms: number, active: boolean): void {
  const saved = useRef(callback);
  saved.current = callback;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => saved.current(), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
}

/** A function that runs `callback` once, `ms` after the last of a burst of calls. */
export function useDebounced(callback: () => void, ms: number): () => void {
  const saved = useRef(callback);
  saved.current = callback;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      saved.current();
    }, ms);
  };
}

/** Calls `callback` each time the live connection is (re)established: events may have been missed. */
export function useOnConnected(callback: () => void): void {
  const saved = useRef(callback);
  saved.current = callback;
  useEffect(() => onConnected(() => saved.current()), []);
}

/** Sets the document's title while the page is shown. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · jobstar`;
  }, [title]);
}
