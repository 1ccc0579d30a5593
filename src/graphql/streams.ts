import { Repeater } from "graphql-yoga";
import type { EventBus } from "../events/bus.js";
import { isTerminal, type TaskStatus } from "../model/task-status.js";
import { isTransient, pause } from "../store/transient.js";
import type { GraphQLModel, JobResource } from "./models.js";

/**
 * `read()`, tried again while the database is out of reach (a restart, a dropped
 * connection) rather than ending the subscription: it resumes where it was once the
 * database answers. Gives up when `stopped` settles.
 */
async function patiently<T>(read: () => Promise<T>, stopped: Promise<unknown>): Promise<T> {
  const gone = new AbortController();
  void stopped.then(() => gone.abort());
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await read();
    } catch (error) {
      if (!isTransient(error) || gone.signal.aborted) throw error;
      await pause(delay, gone.signal);
    }
  }
}

function revisionNumber(revisionId: string): number {
  return Number(revisionId.slice(revisionId.lastIndexOf(":") + 1));
}

/**
 * One job's states: the current one first, then each committed revision in order,
 * ending after a terminal state. It subscribes before reading the current state, so
 * nothing falls in between; after the listener reconnects it re-reads the current
 * state, so a transition NOTIFYed during the drop is not missed.
 */
export function jobStates(
  model: GraphQLModel,
  bus: EventBus,
  resourceId: string,
): AsyncIterable<JobResource> {
  const manager = model.manager;
  return new Repeater<JobResource>(async (push, stop) => {
    let last = 0;
    let chain: Promise<void> = Promise.resolve();
    const emit = (load: () => Promise<JobResource>) => {
      chain = chain
        .then(async () => {
          const resource = await patiently(load, stop);
          const number = revisionNumber(resource.info.revisionId);
          if (number <= last) return;
          last = number;
          await push(resource);
          if (isTerminal(resource.data.status)) stop();
        })
        .catch((error: unknown) => stop(error));
    };
    const unsubscribe = bus.subscribe((event) => emit(() => model.revision(resourceId, event.revisionId)), {
      resourceId,
    });
    const unsubscribeReconnect = bus.onReconnect(() => emit(() => manager.get(resourceId)));
    emit(() => manager.get(resourceId));
    await stop;
    unsubscribe();
    unsubscribeReconnect();
  });
}

/**
 * Every committed revision of a model's jobs (optionally only some statuses), as
 * they happen. After the listener reconnects, jobs updated since the last delivered
 * revision are re-read, so a change during the drop is delivered late, not lost.
 * Only jobs `visible` answers true for are delivered (the caller's, say).
 */
export function modelEvents(
  model: GraphQLModel,
  bus: EventBus,
  statuses: TaskStatus[] | null,
  visible: (resource: JobResource) => Promise<boolean> = async () => true,
): AsyncIterable<JobResource> {
  const manager = model.manager;
  const wanted = (status: TaskStatus) => !statuses || statuses.length === 0 || statuses.includes(status);
  return new Repeater<JobResource>(async (push, stop) => {
    let since = new Date();
    let chain: Promise<void> = Promise.resolve();
    // The re-read lists jobs updated at or after `since`, so it meets again what was
    // delivered last (and a NOTIFY may race it): skip revisions already delivered.
    const delivered = new RecentRevisions();
    const deliver = async (resource: JobResource) => {
      const { resourceId, revisionId, updatedTime } = resource.info;
      if (!delivered.add(resourceId, revisionNumber(revisionId))) return;
      if (updatedTime > since) since = updatedTime;
      if (wanted(resource.data.status) && (await visible(resource))) await push(resource);
    };
    const enqueue = (work: () => Promise<void>) => {
      chain = chain.then(work).catch((error: unknown) => stop(error));
    };
    const unsubscribe = bus.subscribe(
      (event) =>
        enqueue(async () =>
          deliver(await patiently(() => model.revision(event.resourceId, event.revisionId), stop)),
        ),
      { model: model.typeName },
    );
    const unsubscribeReconnect = bus.onReconnect(() =>
      enqueue(async () => {
        let after: string | undefined;
        do {
          const page = await patiently(
            () =>
              manager.list({ updatedAfter: since, sortBy: "updatedTime", order: "asc", limit: 100, after }),
            stop,
          );
          for (const resource of page.items) await deliver(resource);
          after = page.nextCursor ?? undefined;
        } while (after);
      }),
    );
    await stop;
    unsubscribe();
    unsubscribeReconnect();
  });
}

/**
 * The newest revision delivered per job, for the most recently changed jobs only: a
 * re-read after a reconnect meets just the jobs updated since the last delivery.
 */
class RecentRevisions {
  private readonly latest = new Map<string, number>();

  constructor(private readonly capacity = 10_000) {}

  /** Records `revision` of `resourceId`; false if it (or a later one) was already delivered. */
  add(resourceId: string, revision: number): boolean {
    const seen = this.latest.get(resourceId);
    if (seen !== undefined && revision <= seen) return false;
    this.latest.delete(resourceId);
    this.latest.set(resourceId, revision);
    if (this.latest.size > this.capacity) {
      const oldest = this.latest.keys().next();
      if (!oldest.done) this.latest.delete(oldest.value);
    }
    return true;
  }
}
