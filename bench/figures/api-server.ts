// The jobstar API server child of figures 6–8, and a graphql-ws client of it.
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { Child } from "../../test/support/child.js";
import { startChild, stopChild } from "../children.js";

export interface ApiServer {
  readonly url: string;
  readonly child: Child;
  stop(): Promise<void>;
}

export async function startApiServer(databaseUrl: string): Promise<ApiServer> {
  const child = await startChild("bench/workers/api-server.ts", { DATABASE_URL: databaseUrl });
  const url = /ready (\S+)/.exec(child.stdout())?.[1];
  if (!url) throw new Error(`the API server printed no URL: ${child.stdout()}`);
  return { url, child, stop: () => stopChild(child) };
}

/** A graphql-ws client of the server, connected now, never retrying. */
export function wsClient(url: string) {
  return createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
  });
}

export const JOB_STATUS = /* GraphQL */ `
  subscription JobStatus($id: ID!) { jobStatus(id: $id) { id status info { updatedTime } } }
`;

/** What JOB_STATUS yields. */
export interface JobStatusView {
  jobStatus: { id: string; status: string; info: { updatedTime: string } };
}
