// Published ports claimed in the Store, so that the ownership check is part of a deploy's one
// transaction and not a read-then-write: two deploys racing for one port (two `stackctl deploy`
// at the same moment, GitOps and the CLI) both write the port's claim key with a compare-and-swap,
// so exactly one commits; the other reads again and is refused (port-owners.ts's rule: an ingress
// port is one stack's alone, host ports of one number only clash per node).
//   /stackd/ports/<protocol>/<published>  →  {"owners":[{stack, uid, service, mode}, ...]}
// A removed stack's entries are not deleted with it (a removal through the API server is one
// DELETE): an entry whose stack no longer exists with that uid is stale, ignored, and dropped by
// the next deploy that writes the key. Pure: claim keys and live stacks in, ops and refusals out.
import { ROOT } from '../api/keys.js';
import type { KeyValue, TxnOp } from '../store/store.js';
import type { PortSpec } from '../stackfile/types.js';

export const PORT_CLAIM_PREFIX = `${ROOT}ports/`;

export interface PortOwner {
  stack: string;
  /** the Stack's uid: a stack removed and deployed again is a new owner */
  uid: string;
  service: string;
  mode: PortSpec['mode'];
}

export function portClaimKey(protocol: string, published: number): string {
  return `${PORT_CLAIM_PREFIX}${protocol}/${published}`;
}

/** The claim keys of the published ports of `services` (service name → its ports). */
export function claimKeys(services: { name: string; ports: PortSpec[] }[]): string[] {
  const keys = services.flatMap((s) => s.ports.filter((p) => p.published !== undefined).map((p) => portClaimKey(p.protocol, p.published!)));
  return [...new Set(keys)].sort();
}

export function decodeClaim(kv: KeyValue | undefined): PortOwner[] {
  if (!kv) return [];
  try {
    const owners = (JSON.parse(kv.value) as { owners?: PortOwner[] }).owners;
    return Array.isArray(owners) ? owners : [];
  } catch {
    return []; // unreadable: rewritten by this deploy
  }
}

const sameOwner = (a: PortOwner, b: PortOwner) => a.stack === b.stack && a.service === b.service && a.mode === b.mode;
const order = (a: PortOwner, b: PortOwner) => `${a.stack}/${a.service}/${a.mode}`.localeCompare(`${b.stack}/${b.service}/${b.mode}`);

/**
 * @param stack    the deploying stack and its Stack's uid (as this deploy writes it)
 * @param services the stack's services as the deploy leaves them (name → ports)
 * @param claims   the current claim key of every port in `services` and of every port the stack
 *                 held before (undefined: absent)
 * @param live     name → uid of the Stacks that exist, for every other owner named in `claims`
 * @returns the writes that make the claims the stack's (each a compare-and-swap on what was
 *          read), or the one-line refusals (nothing to write then)
 */
export function planPortClaims(
  stack: { name: string; uid: string },
  services: { name: string; ports: PortSpec[] }[],
  claims: Map<string, KeyValue | undefined>,
  live: Map<string, string>,
): { ops: TxnOp[]; conflicts: string[] } {
  const wanted = new Map<string, PortOwner[]>();
  for (const s of [...services].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const p of s.ports) {
      if (p.published === undefined) continue;
      const key = portClaimKey(p.protocol, p.published);
      const mine = wanted.get(key) ?? [];
      const owner = { stack: stack.name, uid: stack.uid, service: s.name, mode: p.mode };
      if (!mine.some((o) => sameOwner(o, owner))) mine.push(owner);
      wanted.set(key, mine);
    }
  }
  const ops: TxnOp[] = [];
  const conflicts: string[] = [];
  for (const [key, kv] of [...claims].sort(([a], [b]) => a.localeCompare(b))) {
    const current = decodeClaim(kv);
    const others = current.filter((o) => o.stack !== stack.name && live.get(o.stack) === o.uid);
    const mine = wanted.get(key) ?? [];
    for (const m of mine) {
      const other = others.find((o) => o.mode === 'ingress' || m.mode === 'ingress');
      if (!other) continue;
      const [, , , protocol, port] = key.split('/');
      conflicts.push(
        `stack ${stack.name}: service ${m.service} publishes port ${port}/${protocol} (${m.mode}), which stack ${other.stack} already owns (service ${other.stack}_${other.service}, ${other.mode}); pick another published port or remove that stack first`,
      );
    }
    const next = [...others, ...mine].sort(order);
    if (JSON.stringify(next) === JSON.stringify([...current].sort(order))) continue;
    const value = JSON.stringify({ owners: next });
    if (!kv) ops.push({ op: 'create', key, value });
    else if (next.length === 0) ops.push({ op: 'delete', key, revision: kv.modRevision });
    else ops.push({ op: 'update', key, value, revision: kv.modRevision });
  }
  return conflicts.length ? { ops: [], conflicts } : { ops, conflicts };
}
