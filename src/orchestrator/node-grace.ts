// Grace before a node is declared down. A heartbeat lease lapses for many reasons that are not a
// lost node: an agent restarted or upgraded, a long GC pause, a store failover. Declaring the node
// down orphans its tasks and replaces them elsewhere, so a lapse is first only a suspicion; the
// node is down once its heartbeat has been missing for the whole grace (Swarm: about 15 s after
// the last heartbeat; here lease TTL 5 s + grace 5 s by default, so a replacement runs within
// about 12 s). An agent back within the grace adopts its containers and nothing moves.
export const DEFAULT_NODE_GRACE_MS = 5_000;

/** Suspects whose graces end within this long of the first one's are looked at again together, once
 *  the last of them ends (late, never early): the 100 nodes of a lost rack lapse over a few hundred
 *  ms as etcd expires their leases, and each look scans every task (paced: manager/plan-gap.ts), so
 *  one look per node's end let the last of them go 3.6 s after the first (bench:scale). */
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
  const ends: number[] = [];
  for (const name of [...missingSince.keys()]) if (!(name in present)) missingSince.delete(name);
  for (const [name, here] of Object.entries(present)) {
    if (here) {
      missingSince.delete(name);
      alive[name] = true;
      continue;
    }
    const since = missingSince.get(name) ?? now;
    missingSince.set(name, since);
    const left = since + graceMs - now;
    alive[name] = left > 0;
    if (left > 0) ends.push(left);
  }
  if (ends.length === 0) return { alive };
  const first = Math.min(...ends);
  return { alive, recheckAfterMs: Math.max(...ends.filter((left) => left <= first + batchMs)) };
}
