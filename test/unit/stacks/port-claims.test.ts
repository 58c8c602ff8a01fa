// Port claims: the writes that make a deploy's published ports its own, in its one transaction.
import type { KeyValue } from '../../../src/store/store.js';
import { planPortClaims, portClaimKey, type PortOwner } from '../../../src/stacks/port-claims.js';
import type { PortSpec } from '../../../src/stackfile/types.js';

const port = (published: number, mode: 'ingress' | 'host' = 'ingress', protocol: 'tcp' | 'udp' = 'tcp'): PortSpec => ({ target: 80, published, protocol, mode });
const kv = (key: string, owners: PortOwner[], modRevision = 7): KeyValue => ({ key, value: JSON.stringify({ owners }), createRevision: 1, modRevision });
const K = portClaimKey('tcp', 8080);
const a: PortOwner = { stack: 'a', uid: 'ua', service: 'web', mode: 'ingress' };
const B = { name: 'b', uid: 'ub' };

describe('planPortClaims', () => {
  it('a free port is created: the create fails if another deploy made it first', () => {
    const plan = planPortClaims(B, [{ name: 'front', ports: [port(8080)] }], new Map([[K, undefined]]), new Map());
    expect(plan).toEqual({
      conflicts: [],
      ops: [{ op: 'create', key: K, value: JSON.stringify({ owners: [{ stack: 'b', uid: 'ub', service: 'front', mode: 'ingress' }] }) }],
    });
  });

  it('a port a live stack owns is refused, naming it; nothing is written', () => {
    const plan = planPortClaims(B, [{ name: 'front', ports: [port(8080, 'host')] }], new Map([[K, kv(K, [a])]]), new Map([['a', 'ua']]));
    expect(plan.ops).toEqual([]);
    expect(plan.conflicts).toEqual([
      'stack b: service front publishes port 8080/tcp (host), which stack a already owns (service a_web, ingress); pick another published port or remove that stack first',
    ]);
  });

  it('host ports of one number are shared: the claim is rewritten with a compare-and-swap on what was read', () => {
    const host = { ...a, mode: 'host' as const };
    const plan = planPortClaims(B, [{ name: 'x', ports: [port(8080, 'host')] }], new Map([[K, kv(K, [host], 9)]]), new Map([['a', 'ua']]));
    expect(plan.conflicts).toEqual([]);
    expect(plan.ops).toEqual([
      { op: 'update', key: K, revision: 9, value: JSON.stringify({ owners: [host, { stack: 'b', uid: 'ub', service: 'x', mode: 'host' }] }) },
    ]);
  });

  it('a removed (or removed and re-deployed) owner is stale: taken over, its entry dropped', () => {
    for (const live of [new Map<string, string>(), new Map([['a', 'other-uid']])]) {
      const plan = planPortClaims(B, [{ name: 'front', ports: [port(8080)] }], new Map([[K, kv(K, [a])]]), live);
      expect(plan.conflicts).toEqual([]);
      expect(plan.ops).toEqual([
        { op: 'update', key: K, revision: 7, value: JSON.stringify({ owners: [{ stack: 'b', uid: 'ub', service: 'front', mode: 'ingress' }] }) },
      ]);
    }
  });

  it('an unchanged redeploy writes nothing; a port the stack no longer publishes is released', () => {
    const mine = { stack: 'b', uid: 'ub', service: 'front', mode: 'ingress' as const };
    expect(planPortClaims(B, [{ name: 'front', ports: [port(8080)] }], new Map([[K, kv(K, [mine])]]), new Map()).ops).toEqual([]);
    expect(planPortClaims(B, [{ name: 'front', ports: [] }], new Map([[K, kv(K, [mine], 4)]]), new Map()).ops).toEqual([{ op: 'delete', key: K, revision: 4 }]);
  });

  it('udp and tcp of one number are two claims', () => {
    const U = portClaimKey('udp', 8080);
    const plan = planPortClaims(
      B,
      [{ name: 'dns', ports: [port(8080, 'ingress', 'udp')] }],
      new Map([
        [K, kv(K, [a])],
        [U, undefined],
      ]),
      new Map([['a', 'ua']]),
    );
    expect(plan.conflicts).toEqual([]);
    expect(plan.ops.map((o) => [o.op, o.key])).toEqual([['create', U]]);
  });
});
