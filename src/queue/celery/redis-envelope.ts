// kombu's Redis transport stores each message as one JSON envelope in a list named after
// the queue: the body base64-encoded, with headers and properties beside it.
import { randomUUID } from "node:crypto";
import type { QueueMessage } from "../message-queue.js";
import { CONTENT_ENCODING, CONTENT_TYPE, type DecodedTask, decodeTask, encodeTask } from "./protocol.js";

/** The envelope of `message` for the list `queue`, as kombu writes it. */
export function encodeEnvelope(message: QueueMessage, queue: string): string {
  const task = encodeTask(message);
  return JSON.stringify({
    body: Buffer.from(task.body, "utf8").toString("base64"),
    "content-encoding": CONTENT_ENCODING,
    "content-type": CONTENT_TYPE,
    headers: task.headers,
    properties: {
      ...task.properties,
      delivery_info: { exchange: queue, routing_key: queue },
      body_encoding: "base64",
      delivery_tag: randomUUID(),
    },
  });
}

/** Reads an envelope (written by jobstar or by Python Celery) of `model`'s task; null for anything else. */
export function decodeEnvelope(raw: string, model: string): DecodedTask | null {
  const envelope = JSON.parse(raw) as {
    body?: unknown;
    headers?: Record<string, unknown>;
    properties?: { body_encoding?: unknown };
  };
  if (typeof envelope.body !== "string") return null;
  const body =
    envelope.properties?.body_encoding === "base64"
      ? Buffer.from(envelope.body, "base64").toString("utf8")
      : envelope.body;
  return decodeTask(model, envelope.headers ?? {}, body);
}
