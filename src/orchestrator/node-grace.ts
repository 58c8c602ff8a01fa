// Grace before a node is declared down. A heartbeat lease lapses for many reasons that are not a
// lost node: an agent restarted or upgraded, a long GC pause, a store failover. Declaring the node
// down orphans its tasks and replaces them elsewhere, so a lapse is first only a suspicion; the
// node is down once its heartbeat has been missing for the whole grace (Swarm: about 15 s after
// the last heartbeat; here lease TTL 5 s + grace 5 s by default, so a replacement runs within
// about 12 s). An agent back within the grace adopts its containers and nothing moves.
import type { Node } from '../api/objects.js';

export const DEFAULT_NODE_GRACE_MS = 5_000;

/** Suspects whose graces end within this long of the first one's are let go together, once the
 *  last of them ends (late, never early, and at most this much late): the 100 nodes of a lost rack
 *  lapse over a few hundred ms as etcd expires their leases, and each look scans every task (paced:
 *  manager/plan-gap.ts), so one look per node's end let the last of them go 3.6 s after the first
 *  (bench:scale). A look that comes at the first end (requeued before the others were seen) holds
 *  it until the rest of its batch ends: letting it go alone paced the other 99 a second later. */
export const GRACE_BATCH_MS = 1_000;

export interface GraceView {
  /** node name → whether it counts as alive (heartbeat present, or missing for less than the grace) */
  alive: Record<string, boolean>;
  /** when the next suspect's grace ends (look again then); undefined when no node is suspect */
  recheckAfterMs?: number;
}

/**
 * @param present      node name → whether its heartbeat key exists now
 * @param missingSince node name → when this manager first saw its heartbeat missing; updated in place
 *                     (entries of present nodes are dropped, new suspects get `now`)
 */
export function applyGrace(present: Record<string, boolean>, missingSince: Map<string, number>, now: number, graceMs: number, batchMs = GRACE_BATCH_MS): GraceView {
  const alive: Record<string, boolean> = {};
  /** ms left of each suspect's grace (≤ 0: over) */
  const left = new Map<string, number>();
  for (const name of [...missingSince.keys()]) if (!(name in present)) missingSince.delete(name);
  for (const [name, here] of Object.entries(present)) {
    alive[name] = true;
    if (here) {
      missingSince.delete(name);
      continue;
    }
    const since = missingSince.get(name) ?? now;
    missingSince.set(name, since);
    left.set(name, since + graceMs - now);
  }
  if (left.size === 0) return { alive };
  // the batch: every suspect ending within batchMs of the earliest end, let go once its last ends
  const batchEnd = (ends: number[]) => {
    const first = Math.min(...ends);
    return Math.max(...ends.filter((ms) => ms <= first + batchMs));
  };
  const last = batchEnd([...left.values()]);
  if (last > 0) return { alive, recheckAfterMs: last };
  for (const [name, ms] of left) if (ms <= 0) alive[name] = false;
  const ahead = [...left.values()].filter((ms) => ms > 0);
  return ahead.length === 0 ? { alive } : { alive, recheckAfterMs: batchEnd(ahead) };
}

/** What the grace is applied to: each node → whether its heartbeat key exists, leaving out the
 *  nodes already down whose heartbeat is still missing (they stay down: a new leader, whose grace
 *  clock starts afresh, would otherwise call them ready for a whole grace, and the scheduler could
 *  place tasks on them meanwhile; and a suspect held back for its batch is never one already let go). */
export function graceCandidates(nodes: Node[], hasHeartbeat: (name: string) => boolean): Record<string, boolean> {
  const present: Record<string, boolean> = {};
  for (const n of nodes) {
    const here = hasHeartbeat(n.metadata.name);
    if (here || n.status?.state !== 'down') present[n.metadata.name] = here;
  }
  return present;
}
