import type { Network } from '../../../src/api/objects.js';
import { ingressPrefixIn, poolProblem } from '../../../src/net/addr-pool.js';
import { clusterNames } from '../../../src/net/host-names.js';
import { planAllocations } from '../../../src/net/plan-alloc.js';

const network = (namespace: string, name: string, engineName: string, created: string): Network => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Network',
  metadata: { name, namespace, uid: name, generation: 1, resourceVersion: '1', labels: {}, annotations: {}, creationTimestamp: created, ownerReferences: [] },
  spec: { name: engineName, stack: namespace, driver_opts: {}, external: false, labels: {} },
});

describe('default address pool', () => {
  it.each([
    ['10.128.0.0/10', undefined],
    ['10.60.0.0/19', undefined],
    ['10.60.0.0/20', 'pool 10.60.0.0/20 is too small: /19 or larger (the ingress network takes half of a small pool)'],
    ['10.60.0.1/16', '"10.60.0.1/16" is not an IPv4 subnet (a.b.c.d/n, no host bits set)'],
  ])('pool %s: %s', (pool, problem) => {
    expect(poolProblem(pool)).toBe(problem);
  });

  it('the ingress takes a /15, or half of a smaller pool', () => {
    expect(ingressPrefixIn('10.128.0.0/10')).toBe(15);
    expect(ingressPrefixIn('10.60.0.0/16')).toBe(17);
  });

  it("allocates the ingress and stack networks from the cluster's pool, from its own block", () => {
    const start = { ...clusterNames('cluster-d18'), pool: '10.60.0.0/16' }; // tag 53cb: 21451
    const writes = planAllocations(
      [network('', 'ingress', start.ingressNetwork, '2026-01-01T00:00:00Z'), network('a', 'default', 'a_default', '2026-01-02T00:00:00Z')],
      [],
      ['n1'],
      [],
      undefined,
      undefined,
      start,
    );
    const subnets = Object.fromEntries(writes.map((w) => [w.network.spec.name, w.status.subnet]));
    // 21451 % 2: block 1 of two /17s; 21451 % 16: block 11 of sixteen /20s, inside the ingress, as are 12-15: round to 0
    expect(subnets).toEqual({ stackd_ingress_53cb: '10.60.128.0/17', a_default: '10.60.0.0/20' });
  });
});
