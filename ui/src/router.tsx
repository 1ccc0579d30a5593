// A small client-side router over the History API: the UI's pages live under /ui.
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from "react";

/** The path every UI route starts with. */
export const BASE = "/ui";

const listeners = new Set<() => void>();
window.addEventListener("popstate", () => {
  for (const listener of listeners) listener();
});

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current location's path and query, without the /ui prefix (e.g. `/models/TrainingJob?x=1`). */
export function useLocation(): string {
  return useSyncExternalStore(subscribe, () => {
    const { pathname, search } = window.location;
    const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) || "/" : pathname;
    return path + search;
  });
}

/** Goes to `to` (a path under /ui) without reloading; `replace` keeps the history entry. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = BASE + (to === "/" ? "/" : to);
  if (options.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  for (const listener of listeners) listener();
  if (!options.replace) window.scrollTo(0, 0);
}

/** A link inside the UI: a real `<a href>` (so it opens in a new tab too) that routes in place. */
export function Link({ to, ...props }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    props.onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a {...props} href={BASE + to} onClick={onClick} />;
}

/** The URL of a job's page: ids contain `:`, so they are encoded. */
export function jobPath(id: string): string {
  return `/jobs/${encodeURIComponent(id)}`;
}
