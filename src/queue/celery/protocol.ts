// Celery's task message protocol, version 2, JSON serialisation: what a Python Celery
// worker reads, and what Python's `app.send_task` writes.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { CURRENT_ATTEMPT, type QueueMessage } from "../message-queue.js";

/** The Celery task name of a model's jobs, as upstream SpecStar names it. */
export function taskName(model: string): string {
  return `jobstar.${model}.process_job`;
}

/**
 * The header carrying jobstar's attempt token. The task's arguments stay `[resourceId]`
 * (upstream's shape), so a Python task `def process_job(resource_id)` takes them as they are.
 */
export const ATTEMPT_HEADER = "jobstar_attempt";

/** A task message: protocol-v2 headers, message properties, and the JSON body. */
export interface CeleryTask {
  id: string;
  headers: Record<string, unknown>;
  properties: { correlation_id: string; reply_to: string; delivery_mode: 2; priority: 0 };
  /** `[args, kwargs, embed]`, serialised. */
  body: string;
}

export const CONTENT_TYPE = "application/json";
export const CONTENT_ENCODING = "utf-8";

/** The task message of `message`: args `[resourceId]`, the attempt in a header, `eta` = its due time. */
export function encodeTask(message: QueueMessage): CeleryTask {
  const id = randomUUID();
  const args = [message.resourceId];
  return {
    id,
    headers: {
      lang: "py",
      task: taskName(message.model),
      id,
      shadow: null,
      eta: message.runAt ? message.runAt.toISOString() : null,
      expires: null,
      group: null,
      group_index: null,
      retries: 0,
      timelimit: [null, null],
      root_id: id,
      parent_id: null,
      argsrepr: JSON.stringify(args).replace(/"/g, "'"),
      kwargsrepr: "{}",
      origin: `${process.pid}@${os.hostname()}`,
      ignore_result: true,
      [ATTEMPT_HEADER]: message.attempt,
    },
    properties: { correlation_id: id, reply_to: "", delivery_mode: 2, priority: 0 },
    body: JSON.stringify([args, {}, { callbacks: null, errbacks: null, chain: null, chord: null }]),
  };
}

/** A task read off the broker: the job, and not before when (`eta`). */
export interface DecodedTask {
  message: QueueMessage;
  notBefore?: Date;
}

/**
 * Reads a protocol-v2 task of `model`: its `task` header must be the model's task name and
 * its first argument the job's id. A task with no attempt header (sent by Python) runs the
 * job's current PENDING state. Null for anything else.
 */
export function decodeTask(
  model: string,
  headers: Record<string, unknown>,
  body: string,
): DecodedTask | null {
  if (headers.task !== taskName(model)) return null;
  const parsed = JSON.parse(body) as unknown;
  if (!Array.isArray(parsed) || !Array.isArray(parsed[0])) return null;
  const [resourceId] = parsed[0] as unknown[];
  if (typeof resourceId !== "string") return null;
  const token = Number(headers[ATTEMPT_HEADER]);
  const attempt = headers[ATTEMPT_HEADER] !== undefined && Number.isInteger(token) ? token : CURRENT_ATTEMPT;
  const eta = typeof headers.eta === "string" ? new Date(headers.eta) : null;
  return {
    message: { model, resourceId, attempt },
    ...(eta && !Number.isNaN(eta.getTime()) ? { notBefore: eta } : {}),
  };
}
