// The figures of a quick or a full run, with their sizes.
import { createBulkFigure, createSingleFigure } from "./create.js";
import { endToEndFigure } from "./end-to-end.js";
import type { BenchContext, Figure } from "./figure.js";
import { idleLatencyFigure } from "./idle-latency.js";
import { processingFigure } from "./processing.js";
import { queuesFigure } from "./queues.js";
import { submitHttpFigure } from "./submit-http.js";
import { subscriberLatencyFigure } from "./subscriber-latency.js";
import { subscriptionRssFigure } from "./subscription-rss.js";

export type { BenchContext, Figure } from "./figure.js";

export function figuresOf(ctx: BenchContext): Figure[] {
  const q = ctx.quick;
  return [
    ...(q
      ? [processingFigure(ctx, 500, 8)]
      : [processingFigure(ctx, 5000, 8), processingFigure(ctx, 20_000, 8), processingFigure(ctx, 5000, 32)]),
    createSingleFigure(ctx, q ? 500 : 5000),
    createBulkFigure(ctx, q ? 1000 : 20_000),
    endToEndFigure(ctx, q ? 200 : 5000),
    idleLatencyFigure(ctx, q ? 12 : 200),
    subscriberLatencyFigure(ctx, q ? 20 : 100),
    submitHttpFigure(ctx, q ? 200 : 5000),
    subscriptionRssFigure(ctx, q ? 2000 : 10_000),
    queuesFigure(ctx, q ? 500 : 5000, 8),
  ];
}
