import { Repeater } from "graphql-yoga";
import type { EventBus } from "../events/bus.js";
import { isTerminal, type TaskStatus } from "../model/task-status.js";
import { isTransient, pause } from "../store/transient.js";
import type { GraphQLModel, JobResource } from "./models.js";

/**
 * `read()`, tried again while the database is out of reach (a restart, a dropped
 * connection) rather than ending the subscription: it resumes where it was once the
 * database answers. Gives up when `stopped` aborts.
 */
async function patiently<T>(read: () => Promise<T>, stopped: AbortSignal): Promise<T> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await read();
    } catch (error) {
      if (!isTransient(error) || stopped.aborted) throw error;
      await pause(delay, stopped);
    }
  }
}

function revisionNumber(revisionId: string): number {
  return Number(revisionId.slice(revisionId.lastIndexOf(":") + 1));
}

/**
 * One job's states: the current one first, then each committed revision in order,
 * ending after a terminal state. It listens before reading the current state, so
 * nothing falls in between; after the listener reconnects it re-reads the current
 * state, so a transition NOTIFYed during the drop is not missed. Resolves once the
 * current state is read (rejecting with NOT_FOUND if there is no such job), so a
 * subscription to a missing job fails at once.
 */
export async function jobStates(
  model: GraphQLModel,
  bus: EventBus,
  resourceId: string,
): Promise<AsyncIterableIterator<JobResource>> {
  const states = new JobStates(model, bus, resourceId);
  try {
    await states.ready;
  } catch (error) {
    await states.return();
    throw error;
  }
  return states;
}

/**
 * The iterator of {@link jobStates}: a small queue fed by the event bus, one per
 * subscription, so it is kept lean (thousands are open at once on one server).
 */
class JobStates implements AsyncIterableIterator<JobResource> {
  /** Settles once the current state is read. */
  readonly ready: Promise<void>;
  private readonly ready$: { resolve: () => void; reject: (error: unknown) => void };
  private readonly queue: JobResource[] = [];
  private waiting: ((result: IteratorResult<JobResource>) => void) | null = null;
  private failure: { error: unknown } | null = null;
  private ended = false;
  private last = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly stopped = new AbortController();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeReconnect: () => void;

  constructor(model: GraphQLModel, bus: EventBus, resourceId: string) {
    let ready$ = { resolve: () => {}, reject: (_error: unknown) => {} };
    this.ready = new Promise<void>((resolve, reject) => {
      ready$ = { resolve, reject };
    });
    this.ready$ = ready$;
    this.unsubscribe = bus.subscribe(
      (event) => this.load(() => model.revision(resourceId, event.revisionId)),
      {
        resourceId,
      },
    );
    this.unsubscribeReconnect = bus.onReconnect(() => this.load(() => model.manager.get(resourceId)));
    this.load(() => model.manager.get(resourceId), true);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<JobResource> {
    return this;
  }

  next(): Promise<IteratorResult<JobResource>> {
    const value = this.queue.shift();
    if (value) return Promise.resolve({ value, done: false });
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async return(): Promise<IteratorResult<JobResource>> {
    this.end();
    this.queue.length = 0;
    return { value: undefined, done: true };
  }

  private load(read: () => Promise<JobResource>, first = false): void {
    this.chain = this.chain
      .then(async () => {
        if (this.ended) return;
        const resource = await patiently(read, this.stopped.signal);
        if (first) this.ready$.resolve();
        const number = revisionNumber(resource.info.revisionId);
        if (number <= this.last) return;
        this.last = number;
        this.deliver(resource);
        if (isTerminal(resource.data.status)) this.end();
      })
      .catch((error: unknown) => {
        if (first) this.ready$.reject(error);
        if (this.ended) return;
        this.failure = { error };
        this.end();
      });
  }

  private deliver(resource: JobResource): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting({ value: resource, done: false });
    } else this.queue.push(resource);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopped.abort();
    this.unsubscribe();
    this.unsubscribeReconnect();
    const waiting = this.waiting;
    this.waiting = null;
    if (!waiting) return;
    // A failure is thrown to a waiting reader; otherwise the stream is done.
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      waiting(Promise.reject(error) as never);
    } else waiting({ value: undefined, done: true });
  }
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
    const stopped = new AbortController();
    void stop.then(() => stopped.abort());
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
          deliver(await patiently(() => model.revision(event.resourceId, event.revisionId), stopped.signal)),
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
            stopped.signal,
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
