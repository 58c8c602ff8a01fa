import type { Network, Service } from '../../../src/api/objects.js';
import { allocateSubnet, nodeRange, subnetProblem, vipCandidates } from '../../../src/net/ipam.js';
import { planAllocations } from '../../../src/net/plan-alloc.js';

describe('ipam', () => {
  it('cuts a subnet into a VIP chunk and 31 node chunks, each with its own gateway', () => {
    expect(nodeRange('10.128.0.0/20', 1)).toEqual({ ipRange: '10.128.0.128/25', gateway: '10.128.0.129' });
    expect(nodeRange('10.128.0.0/20', 31)).toEqual({ ipRange: '10.128.15.128/25', gateway: '10.128.15.129' });
    expect(vipCandidates('10.128.0.0/20')).toHaveLength(127);
    expect(vipCandidates('10.128.0.0/20')[0]).toBe('10.128.0.1');
  });

  it('allocates the first block of the pool that overlaps nothing in use', () => {
    expect(allocateSubnet([])).toBe('10.128.0.0/20');
    expect(allocateSubnet(['10.128.0.0/20', '10.128.32.0/19'])).toBe('10.128.16.0/20');
    expect(allocateSubnet(['10.128.0.0/10'])).toBeUndefined();
  });

  it.each([
    ['10.1.0.0/16', undefined],
    ['10.1.0.0/24', undefined],
    ['10.1.0.0/25', 'subnet 10.1.0.0/25 is too small: a cluster network needs /24 or larger'],
    ['10.1.0.1/16', '"10.1.0.1/16" is not an IPv4 subnet (a.b.c.d/n, no host bits set)'],
    ['fe80::/64', '"fe80::/64" is not an IPv4 subnet (a.b.c.d/n, no host bits set)'],
  ])('subnet %s: %s', (subnet, problem) => {
    expect(subnetProblem(subnet)).toBe(problem);
  });
});

function network(stack: string, key: string, extra: Partial<Network['spec']> = {}, status?: Network['status'], created = '2026-01-01T00:00:00Z'): Network {
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Network',
    metadata: { name: key, namespace: stack, uid: `${stack}-${key}`, generation: 1, resourceVersion: '1', labels: {}, annotations: {}, creationTimestamp: created, ownerReferences: [] },
    spec: { name: `${stack}_${key}`, stack, driver_opts: {}, external: false, labels: {}, ...extra },
    ...(status ? { status } : {}),
  };
}

function service(stack: string, name: string, networks: string[], endpoint: 'vip' | 'dnsrr' = 'vip'): Service {
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Service',
    metadata: { name, namespace: stack, uid: name, generation: 1, resourceVersion: '1', labels: {}, annotations: {}, creationTimestamp: '', ownerReferences: [] },
    spec: { stack, template: { networks: Object.fromEntries(networks.map((n) => [n, { aliases: [] }])), deploy: { endpoint_mode: endpoint } } as never },
  };
}

describe('planAllocations', () => {
  it('gives a new network a free subnet, a VNI, a slot per node and a VIP per vip-mode service on it', () => {
    const taken = network('a', 'default', {}, { subnet: '10.128.0.0/20', vni: 4097, nodes: { n1: 1 }, vips: {} });
    const fresh = network('b', 'default');
    const writes = planAllocations([taken, fresh], [service('b', 'web', []), service('b', 'db', ['default'], 'dnsrr'), service('a', 'x', ['other'])], ['n2', 'n1']);
    expect(writes.map((w) => [w.network.spec.name, w.status])).toEqual([
      ['a_default', { subnet: '10.128.0.0/20', vni: 4097, nodes: { n1: 1, n2: 2 }, vips: {} }],
      ['b_default', { subnet: '10.128.16.0/20', vni: 4098, nodes: { n1: 1, n2: 2 }, vips: { web: '10.128.16.1' } }],
    ]);
  });

  it('keeps what is allocated; frees the VIPs of services and the slots of nodes that are gone', () => {
    const net = network('a', 'default', {}, { subnet: '10.128.0.0/20', vni: 4097, nodes: { n1: 1, n2: 2 }, vips: { web: '10.128.0.1', old: '10.128.0.2' } });
    const [w] = planAllocations([net], [service('a', 'web', []), service('a', 'api', [])], ['n2', 'n3']);
    expect(w.status).toEqual({ subnet: '10.128.0.0/20', vni: 4097, nodes: { n2: 2, n3: 1 }, vips: { web: '10.128.0.1', api: '10.128.0.2' } });
    expect(planAllocations([{ ...net, status: w.status }], [service('a', 'web', []), service('a', 'api', [])], ['n2', 'n3'])).toEqual([]);
  });

  it('takes ipam.config\'s subnet, and refuses one overlapping an older network\'s', () => {
    const old = network('a', 'default', {}, { subnet: '10.9.0.0/16', vni: 4097, nodes: {}, vips: {} }, '2026-01-01T00:00:00Z');
    const mine = network('b', 'default', { subnet: '10.20.0.0/16' }, undefined, '2026-01-02T00:00:00Z');
    const clash = network('c', 'default', { subnet: '10.9.128.0/17' }, undefined, '2026-01-03T00:00:00Z');
    const writes = Object.fromEntries(planAllocations([old, mine, clash], [], []).map((w) => [w.network.spec.name, w.status]));
    expect(writes.b_default).toMatchObject({ subnet: '10.20.0.0/16' });
    expect(writes.c_default).toMatchObject({ message: "subnet 10.9.128.0/17 overlaps network a_default's" });
    expect(writes.c_default.subnet).toBeUndefined();
  });
});
