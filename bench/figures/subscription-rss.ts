// Figure 8 (jobstar only): the API server process's resident memory (VmRSS) idle, and with
// SUBSCRIPTIONS live `jobStatus` subscriptions over graphql-ws, multiplexed over 10 sockets.
// They watch a tenth as many pending jobs (at most 1,000), created with no consumer.
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "graphql-ws";
import { rssOf } from "../children.js";
import { createNoops, openJobstar } from "../peers/jobstar.js";
import { JOB_STATUS, startApiServer, wsClient } from "./api-server.js";
import type { BenchContext, Figure } from "./figure.js";

const SOCKETS = 10;
const MiB = 2 ** 20;

export function subscriptionRssFigure(ctx: BenchContext, subscriptions: number): Figure {
  const idle = {
    label: "8. API server RSS, idle",
    unit: "MiB",
    higherIsBetter: false,
    words: ["more", "less"] as const,
  };
  const busy = { ...idle, label: `8. API server RSS, ${subscriptions} jobStatus subscriptions` };
  return {
    key: "rss",
    title: `8. API server RSS with ${subscriptions} subscriptions`,
    footnote: `8: the server runs from the TypeScript sources under tsx (the loader's memory included); the ${subscriptions} subscriptions watch ${Math.min(subscriptions / 10, 1000)} pending jobs over ${SOCKETS} graphql-ws sockets.`,
    contenders: [
      {
        column: "jobstar",
        measure: async () => {
          const db = await ctx.server.scratch();
          const { spec, mgr } = await openJobstar(db.url);
          const jobs = Math.min(subscriptions / 10, 1000);
          const clients: Client[] = [];
          try {
            const ids = await createNoops(
              mgr,
              Array.from({ length: jobs }, (_, n) => n),
            );
            const server = await startApiServer(db.url);
            try {
              await sleep(500);
              const idleRss = await rssOf(server.child.pid);
              for (let s = 0; s < SOCKETS; s++) clients.push(wsClient(server.url));
              let pending = subscriptions;
              let failure: unknown = null;
              const allFirst = new Promise<void>((resolve) => {
                for (let i = 0; i < subscriptions; i++) {
                  let first = true;
                  clients[i % SOCKETS]?.subscribe(
                    { query: JOB_STATUS, variables: { id: ids[i % ids.length] } },
                    {
                      next: () => {
                        if (first && --pending === 0) resolve();
                        first = false;
                      },
                      error: (error) => {
                        failure = error;
                        resolve();
                      },
                      complete: () => {},
                    },
                  );
                }
              });
              await allFirst;
              if (failure) throw new Error(`a subscription failed: ${JSON.stringify(failure)}`);
              await sleep(500);
              const busyRss = await rssOf(server.child.pid);
              return [
                { row: idle, value: idleRss / MiB },
                { row: busy, value: busyRss / MiB },
              ];
            } finally {
              await Promise.all(clients.map((c) => c.dispose()));
              await server.stop();
            }
          } finally {
            await spec.close();
            await db.drop();
          }
        },
      },
    ],
  };
}
