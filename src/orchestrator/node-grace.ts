// Grace before a node is declared down. A heartbeat lease lapses for many reasons that are not a
// lost node: an agent restarted or upgraded, a long GC pause, a store failover. Declaring the node
// down orphans its tasks and replaces them elsewhere, so a lapse is first only a suspicion; the
// node is down once its heartbeat has been missing for the whole grace (Swarm: about 15 s after
// the last heartbeat; here lease TTL 5 s + grace 5 s by default, so a replacement runs within
// about 12 s). An agent back within the grace adopts its containers and nothing moves.
export const DEFAULT_NODE_GRACE_MS = 5_000;

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
export function applyGrace(present: Record<string, boolean>, missingSince: Map<string, number>, now: number, graceMs: number): GraceView {
  const alive: Record<string, boolean> = {};
  let recheckAfterMs: number | undefined;
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
    if (left > 0) recheckAfterMs = Math.min(recheckAfterMs ?? left, left);
  }
  return { alive, recheckAfterMs };
}
