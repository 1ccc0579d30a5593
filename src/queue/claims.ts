import type { RegisteredModel } from "../model/registration.js";
import { TaskStatus } from "../model/task-status.js";
import type { Database } from "../store/database.js";
import { getRevisionRow } from "../store/queries/get-resource.js";
import { type ClaimableRow, readClaimable } from "../store/queries/read-claimable.js";
import type { RevisionRow } from "../store/queries/rows.js";
import { type Transition, writeTransitions } from "../store/queries/write-transitions.js";
import { inUnitOfWork } from "../store/unit-of-work.js";
import { Batcher } from "./batcher.js";
import { CURRENT_ATTEMPT, type MessageQueue, type QueueMessage } from "./message-queue.js";
import { isPartitionBusy } from "./partitions.js";
import { ReadAhead } from "./read-ahead.js";
import { handOnFailedPartitions, migrateRows } from "./schema-migration.js";

/** What claims need. */
export interface ClaimsDeps {
  database: Database;
  queue: MessageQueue;
  model: RegisteredModel;
  /** This process's worker id: recorded as `worker:<id>` on the revisions claims write. */
  workerId: string;
}

/** A claimed attempt. */
export interface Claim {
  resourceId: string;
  attempt: number;
  revision: RevisionRow;
}

/** A delivery asking to claim its job. */
interface ClaimRequest {
  message: QueueMessage;
  leasedBy: string;
}

/**
 * The claims of one model's deliveries. A claim takes the PENDING state whose attempt
 * token the message carries: a draft PROCESSING revision, the token bumped, a lease on
 * the delivery. Claims of concurrent deliveries are written together (one guarded
 * multi-row write a batch), on rows read ahead where the queue said which messages it
 * holds, else read with the batch.
 */
export class Claims {
  private readonly batches: Batcher<ClaimRequest, Claim | null>;
  /** Jobs of messages the queue holds for this runner, read before their claims. */
  private readonly ahead: ReadAhead;

  constructor(private readonly deps: ClaimsDeps) {
    this.ahead = new ReadAhead((ids) => readClaimable(deps.database.sql, deps.model.schema.key, ids));
    this.batches = new Batcher((requests) => this.claimAll(requests));
  }

  /**
   * Claims the job of `message` for the delivery `leasedBy`: the claim, or null when the
   * message is stale (its job moved on, was deleted or is not this model's).
   */
  claim(message: QueueMessage, leasedBy: string): Promise<Claim | null> {
    return this.batches.submit({ message, leasedBy });
  }

  /**
   * Reads the jobs of messages that the queue will deliver soon, so that their claims
   * are one statement (see {@link ReadAhead}). Only messages that name their PENDING
   * state: one naming just the job is read when it is claimed.
   */
  readAhead(messages: QueueMessage[]): void {
    const model = this.deps.model.schema.key;
    this.ahead.add(
      messages.flatMap((m) => (m.model === model && m.attempt !== CURRENT_ATTEMPT ? [m.resourceId] : [])),
    );
  }

  /**
   * Claims the jobs of a batch of deliveries: each job's row as read ahead where that row
   * is still the PENDING state its message names, else as read now; then one write of the
   * claims, guarded by what was read. A claim that missed on a row read ahead (the job
   * was written since) is decided again on a fresh read, so a stale row never drops a
   * message.
   */
  private async claimAll(requests: ClaimRequest[]): Promise<(Claim | null)[]> {
    const version = this.deps.model.schema.version;
    const known = new Map<string, ClaimableRow>();
    await Promise.all(
      requests.map(async ({ message }) => {
        const row = await this.ahead.take(message.resourceId);
        const claimable =
          row &&
          !row.isDeleted &&
          row.status === TaskStatus.PENDING &&
          row.attempt === message.attempt &&
          row.schemaVersion === version;
        if (claimable) known.set(row.resourceId, row);
      }),
    );
    const claims = await this.claimWith(requests, known);
    const again = requests.flatMap((request, i) =>
      claims[i] === null && known.has(request.message.resourceId) ? [i] : [],
    );
    if (again.length > 0) {
      const decided = await this.claimWith(
        again.map((i) => requests[i] as ClaimRequest),
        new Map(),
      );
      again.forEach((i, k) => {
        claims[i] = decided[k] ?? null;
      });
    }
    return claims;
  }

  /**
   * Claims the jobs of a batch of deliveries in at most two statements: read the jobs not
   * in `known`, then write the claims guarded by what was read (the current revision,
   * PENDING, the message's token), so two deliveries at once cannot both claim a job and
   * no row lock is held across round trips.
   */
  private async claimWith(
    requests: ClaimRequest[],
    known: Map<string, ClaimableRow>,
  ): Promise<(Claim | null)[]> {
    const { database, model, workerId } = this.deps;
    const unknown = requests.map((r) => r.message.resourceId).filter((id) => !known.has(id));
    const rows = new Map(known);
    if (unknown.length > 0) {
      for (const [id, row] of await readClaimable(database.sql, model.schema.key, unknown)) rows.set(id, row);
    }
    // Jobs stored at an older schema version are migrated first (or failed, if they cannot
    // be): a write of its own, off the common path.
    const old = [...rows.values()].filter(
      (row) => row.schemaVersion !== model.schema.version && row.status === TaskStatus.PENDING,
    );
    if (old.length > 0) {
      await inUnitOfWork(database.db, async (unit) => {
        const migrated = await migrateRows(unit.sql, model.schema, old);
        await handOnFailedPartitions(unit, this.deps.queue, model.schema, old, migrated);
        for (const row of migrated) rows.set(row.resourceId, row);
      });
    }
    const now = new Date();
    const claims: (Claim | null | Promise<Claim | null>)[] = [];
    const transitions: Transition[] = [];
    const claiming: number[] = [];
    for (const [i, { message, leasedBy }] of requests.entries()) {
      const row = rows.get(message.resourceId);
      claims.push(null);
      if (!row || row.isDeleted) continue;
      if (row.status === TaskStatus.PROCESSING && row.leasedBy === leasedBy) {
        // Our own claim, committed before its answer was lost: carry on with it.
        claims[i] = getRevisionRow(database.db, row.resourceId, row.currentRevisionId).then((revision) =>
          revision ? { resourceId: row.resourceId, attempt: row.attempt, revision } : null,
        );
        continue;
      }
      if (row.status !== TaskStatus.PENDING) continue;
      // A message names the PENDING state it was made for; one from outside jobstar names
      // only the job, and takes whichever PENDING state it finds (guarded like any claim).
      if (message.attempt !== CURRENT_ATTEMPT && row.attempt !== message.attempt) continue;
      // Not migrated (another write came first, and enqueued the job anew): not claimed here.
      if (row.schemaVersion !== model.schema.version) continue;
      claiming.push(i);
      transitions.push({
        resourceId: row.resourceId,
        modelName: model.schema.name,
        schemaVersion: row.schemaVersion,
        expect: {
          revisionId: row.currentRevisionId,
          number: row.number,
          status: row.status,
          attempt: row.attempt,
        },
        data: { ...row.data, status: TaskStatus.PROCESSING, lastHeartbeatAt: now.toISOString() },
        revisionStatus: "draft",
        user: `worker:${workerId}`,
        createdBy: row.createdBy,
        now,
        attempt: row.attempt + 1,
        leasedBy,
        runAt: null,
      });
    }
    if (transitions.length > 0) {
      const revisions = await writeTransitions(database.sql, transitions).catch((error: unknown) => {
        // Another process claimed a job of one of these partitions at the same moment: a
        // lone claim is parked; a batch fails, and the batcher claims its jobs one by one.
        if (transitions.length === 1 && isPartitionBusy(error)) return [null];
        throw error;
      });
      revisions.forEach((revision, k) => {
        const transition = transitions[k] as Transition;
        claims[claiming[k] as number] = revision
          ? { resourceId: revision.resourceId, attempt: transition.attempt, revision }
          : null;
      });
    }
    return Promise.all(claims);
  }
}
