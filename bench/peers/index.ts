// The systems the bench compares, jobstar first; a peer that cannot run here is left out with a note.
import { bullmq } from "./bullmq.js";
import { graphile } from "./graphile.js";
import { jobstar } from "./jobstar.js";
import type { Peer } from "./peer.js";
import { pgboss } from "./pgboss.js";

export const ALL_PEERS: readonly Peer[] = [jobstar, graphile, pgboss, bullmq];

export async function peersAvailable(): Promise<{ peers: Peer[]; notes: string[] }> {
  const peers: Peer[] = [];
  const notes: string[] = [];
  for (const peer of ALL_PEERS) {
    const why = await peer.unavailable();
    if (why) notes.push(`${peer.name} skipped: ${why}`);
    else peers.push(peer);
  }
  return { peers, notes };
}
