// Figure 9: jobstar's processing rate on each of its queues (graphile-worker, RabbitMQ,
// Celery over RabbitMQ and over Redis), side by side like the peers of figure 1.
import { missingBroker } from "../../test/support/brokers.js";
import { jobstarOn } from "../peers/jobstar.js";
import type { Peer } from "../peers/peer.js";
import { QUEUES } from "../queues.js";
import type { BenchContext, Figure } from "./figure.js";
import { processingFigure } from "./processing.js";

export function queuesFigure(ctx: BenchContext, jobs: number, concurrency: number): Figure {
  const peers: Peer[] = [];
  const notes: string[] = [];
  for (const queue of QUEUES) {
    const peer = jobstarOn(queue);
    const why = queue === "graphile" ? null : missingBroker(queue === "celery-redis" ? "redis" : "amqp");
    if (why) notes.push(`${peer.name} skipped: ${why}`);
    else peers.push(peer);
  }
  const figure = processingFigure({ ...ctx, peers }, jobs, concurrency);
  return {
    key: "queues",
    title: `9. jobstar by queue: ${figure.title.replace(/^1\. /, "")}`,
    footnote:
      "9: jobstar on each queue, the brokers behind the transactional outbox (RabbitMQ 127.0.0.1:5672, Redis " +
      `127.0.0.1:6379, queues of the measurement's own)${notes.length > 0 ? `; ${notes.join("; ")}` : ""}.`,
    contenders: figure.contenders.map((contender) => ({
      column: contender.column,
      measure: async () =>
        (await contender.measure()).map((sample) => ({
          ...sample,
          row: { ...sample.row, label: sample.row.label.replace(/^1\. /, "9. by queue: ") },
        })),
    })),
  };
}
