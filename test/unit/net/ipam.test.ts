import type { Network, Service, Task } from '../../../src/api/objects.js';
import { allocateSubnet, chunkPrefixFor, nodeRange, slotCount, subnetProblem, vipCandidates } from '../../../src/net/ipam.js';
import { parseCidr, overlaps } from '../../../src/net/cidr.js';
import { planAllocations } from '../../../src/net/plan-alloc.js';
import { clusterNames } from '../../../src/net/host-names.js';

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

  it('starts at the block a cluster names, and wraps round the pool', () => {
    expect(allocateSubnet([], '10.128.0.0/10', 15, (blocks) => blocks - 1)).toBe('10.190.0.0/15');
    expect(allocateSubnet(['10.190.0.0/15'], '10.128.0.0/10', 15, (blocks) => blocks - 1)).toBe('10.128.0.0/15');
    expect(allocateSubnet([], '10.128.0.0/10', 20, (blocks) => blocks + 3)).toBe('10.128.48.0/20');
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
    metadata: {
      name: key,
      namespace: stack,
      uid: `${stack}-${key}`,
      generation: 1,
      resourceVersion: '1',
      labels: {},
      annotations: {},
      creationTimestamp: created,
      ownerReferences: [],
    },
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
      ['b_default', { subnet: '10.128.16.0/20', chunkPrefix: 26, vni: 4098, nodes: { n1: 1, n2: 2 }, vips: { web: '10.128.16.1' } }],
    ]);
  });

  it('keeps what is allocated; frees the VIPs of services and the slots of nodes that are gone', () => {
    const net = network('a', 'default', {}, { subnet: '10.128.0.0/20', vni: 4097, nodes: { n1: 1, n2: 2 }, vips: { web: '10.128.0.1', old: '10.128.0.2' } });
    const [w] = planAllocations([net], [service('a', 'web', []), service('a', 'api', [])], ['n2', 'n3']);
    expect(w.status).toEqual({ subnet: '10.128.0.0/20', vni: 4097, nodes: { n2: 2, n3: 1 }, vips: { web: '10.128.0.1', api: '10.128.0.2' } });
    expect(planAllocations([{ ...net, status: w.status }], [service('a', 'web', []), service('a', 'api', [])], ['n2', 'n3'])).toEqual([]);
  });

  it("takes ipam.config's subnet, and refuses one overlapping an older network's", () => {
    const old = network('a', 'default', {}, { subnet: '10.9.0.0/16', vni: 4097, nodes: {}, vips: {} }, '2026-01-01T00:00:00Z');
    const mine = network('b', 'default', { subnet: '10.20.0.0/16' }, undefined, '2026-01-02T00:00:00Z');
    const clash = network('c', 'default', { subnet: '10.9.128.0/17' }, undefined, '2026-01-03T00:00:00Z');
    const writes = Object.fromEntries(planAllocations([old, mine, clash], [], []).map((w) => [w.network.spec.name, w.status]));
    expect(writes.b_default).toMatchObject({ subnet: '10.20.0.0/16' });
    expect(writes.c_default).toMatchObject({ message: "subnet 10.9.128.0/17 overlaps network a_default's" });
    expect(writes.c_default.subnet).toBeUndefined();
  });
});

describe('more than 31 nodes on a network', () => {
  it.each([
    ['10.1.0.0/24', 29, 31],
    ['10.1.0.0/22', 27, 31],
    ['10.1.0.0/21', 26, 31],
    ['10.128.0.0/20', 26, 62],
    ['10.1.0.0/16', 26, 992],
    ['10.0.0.0/8', 26, 253_952],
  ])('%s: node chunks of /%i, %i node slots', (subnet, prefix, slots) => {
    expect(chunkPrefixFor(subnet)).toBe(prefix);
    expect(slotCount(subnet, prefix)).toBe(slots);
  });

  it('keeps the old layout (32 chunks) for a network allocated without chunkPrefix', () => {
    expect(slotCount('10.128.0.0/20')).toBe(31);
    expect(nodeRange('10.128.0.0/20', 1)).toEqual(nodeRange('10.128.0.0/20', 1, 25));
  });

  it('gives every slot its own chunk, apart from the VIPs and inside the subnet', () => {
    const subnet = '10.1.0.0/16';
    const vipEnd = parseCidr(subnet)!.base + 65536 / 32;
    const chunks = Array.from({ length: slotCount(subnet, 26) }, (_, i) => nodeRange(subnet, i + 1, 26));
    expect(chunks[0]).toEqual({ ipRange: '10.1.8.0/26', gateway: '10.1.8.1' });
    expect(chunks[chunks.length - 1]).toEqual({ ipRange: '10.1.255.192/26', gateway: '10.1.255.193' });
    const parsed = chunks.map((c) => parseCidr(c.ipRange)!);
    expect(parsed.every((c) => c.base >= vipEnd && c.base + 64 <= parseCidr(subnet)!.base + 65536)).toBe(true);
    expect(new Set(chunks.map((c) => c.ipRange)).size).toBe(chunks.length);
    for (let i = 1; i < parsed.length; i++) expect(overlaps(parsed[i - 1], parsed[i])).toBe(false);
    expect(vipCandidates(subnet)).toHaveLength(2047);
  });

  const task = (stack: string, svc: string, node: string, desired: 'running' | 'shutdown' = 'running'): Task =>
    ({ metadata: { name: `${svc}-${node}`, namespace: stack }, spec: { stack, service: svc, nodeName: node, desiredState: desired } }) as never;
  const nodes = (n: number) => Array.from({ length: n }, (_, i) => `n${String(i + 1).padStart(3, '0')}`);

  it('gives 300 nodes running a task of the network a slot each on a /16', () => {
    const all = nodes(300);
    const [w] = planAllocations(
      [network('a', 'default', { subnet: '10.1.0.0/16' })],
      [service('a', 'web', [])],
      all,
      [],
      all.map((n) => task('a', 'web', n)),
    );
    expect(Object.keys(w.status.nodes!)).toHaveLength(300);
    expect(new Set(Object.values(w.status.nodes!)).size).toBe(300);
    expect(w.status.message).toBeUndefined();
  });

  it('gives a slot only to nodes with a task of the network, and to every node on an attachable one', () => {
    const all = nodes(5);
    const tasks = [task('a', 'web', 'n002'), task('a', 'web', 'n004', 'shutdown'), task('b', 'web', 'n005')];
    const [w] = planAllocations([network('a', 'default')], [service('a', 'web', []), service('b', 'web', [])], all, [], tasks);
    expect(w.status.nodes).toEqual({ n002: 1 });
    const [att] = planAllocations([network('a', 'default', { attachable: true })], [], all, [], []);
    expect(Object.keys(att.status.nodes!)).toEqual(all);
  });

  it('gives back the slot of a ready node that holds no task of the stack any more; the lowest free is then reused', () => {
    const all = nodes(4);
    const held = { n001: 1, n002: 2, n003: 3 };
    const net = network('a', 'default', { subnet: '10.1.0.0/24' }, { subnet: '10.1.0.0/24', chunkPrefix: 29, vni: 4100, nodes: held, vips: {} });
    const svc = [service('a', 'web', [], 'dnsrr')];
    // n001: still wants it; n002: a stopped task of the stack is still there (its container, the
    // engine network with it); n003: nothing of the stack left, ready: given back
    const tasks = [task('a', 'web', 'n001'), task('a', 'web', 'n002', 'shutdown')];
    const [w] = planAllocations([net], svc, all, [], tasks, all);
    expect(w.status.nodes).toEqual({ n001: 1, n002: 2 });
    // a node that is down keeps it: its bridge may still hold the gateway on the overlay
    expect(planAllocations([net], svc, all, [], tasks, ['n001', 'n002'])).toEqual([]);
    // without the ready list (or the tasks) nothing is given back
    expect(planAllocations([net], svc, all, [], tasks)).toEqual([]);
    // n004 then runs a task: it gets the lowest free slot, n003's
    const [again] = planAllocations([{ ...net, status: w.status }], svc, all, [], [...tasks, task('a', 'web', 'n004')], all);
    expect(again.status.nodes).toEqual({ n001: 1, n002: 2, n004: 3 });
  });

  it('keeps the slots of the ingress network and attachable networks', () => {
    const all = nodes(2);
    const status = { subnet: '10.1.0.0/24', chunkPrefix: 29, vni: 4100, nodes: { n001: 1, n002: 2 }, vips: {} };
    const att = network('a', 'default', { attachable: true, subnet: '10.1.0.0/24' }, status);
    expect(planAllocations([att], [], all, [], [], all)).toEqual([]);
    const ingress = { ...network('', 'ingress', {}, status), spec: { ...network('', 'ingress').spec, name: 'stackd_ingress', stack: '' } };
    expect(planAllocations([ingress], [], all, [], [], all)).toEqual([]);
  });

  it('gives the ingress network a /15: a slot for each of 1,000 nodes (1,984 in all); stack networks a /20 after it', () => {
    const all = nodes(1000);
    const ingress = { ...network('', 'ingress'), spec: { ...network('', 'ingress').spec, name: 'stackd_ingress', stack: '' } };
    const later = network('a', 'default', {}, undefined, '2026-01-02T00:00:00Z');
    const [w, s] = planAllocations([ingress, later], [], all, [], []);
    expect(w.status).toMatchObject({ subnet: '10.128.0.0/15', chunkPrefix: 26 });
    expect(slotCount(w.status.subnet!, w.status.chunkPrefix)).toBe(1984);
    expect(Object.keys(w.status.nodes!)).toHaveLength(1000);
    expect(w.status.message).toBeUndefined();
    expect(nodeRange(w.status.subnet!, 1000, 26)).toEqual({ ipRange: '10.129.9.192/26', gateway: '10.129.9.193' });
    expect(s.status.subnet).toBe('10.130.0.0/20');
  });

  it("allocates from the cluster's own VNI block and subnet offset; recorded allocations never move", () => {
    const start = clusterNames('cluster-a'); // tag 34ab = 13483
    const ingress = { ...network('', 'ingress'), spec: { ...network('', 'ingress').spec, name: start.ingressNetwork, stack: '' } };
    const old = network('a', 'old', {}, { subnet: '10.128.0.0/20', vni: 4097, nodes: {} });
    const fresh = network('a', 'default', {}, undefined, '2026-01-02T00:00:00Z');
    const writes = Object.fromEntries(
      planAllocations([ingress, old, fresh], [], ['n1'], [], undefined, undefined, start).map((w) => [w.network.spec.name, w.status]),
    );
    expect(start.ingressNetwork).toBe('stackd_ingress_34ab');
    // 13483 % 32 = 11th /15 of 10.128.0.0/10; 13483 % 1024 = 171st /20
    expect(writes.stackd_ingress_34ab).toMatchObject({ subnet: '10.150.0.0/15', vni: 13483 * 256 });
    expect(writes.a_default).toMatchObject({ subnet: '10.138.176.0/20', vni: 13483 * 256 + 1 });
    expect(writes.a_old).toMatchObject({ subnet: '10.128.0.0/20', vni: 4097 });
    const other = clusterNames('cluster-b');
    const [b] = planAllocations([fresh], [], ['n1'], [], undefined, undefined, other);
    expect(b.status.vni).toBe(0xebe9 * 256);
  });

  it('past the last VNI, goes round from 1', () => {
    const taken = network('a', 'x', {}, { subnet: '10.128.0.0/20', vni: 2 ** 24 - 1, nodes: {} });
    const writes = planAllocations([taken, network('a', 'default', {}, undefined, '2026-01-02T00:00:00Z')], [], [], [], undefined, undefined, {
      firstVni: 2 ** 24 - 1,
      firstBlock: () => 0,
    });
    expect(writes.find((w) => w.network.spec.name === 'a_default')?.status.vni).toBe(1);
  });

  it('says which nodes find a full subnet, and takes the message back once they fit', () => {
    const all = nodes(33);
    const tasks = all.map((n) => task('a', 'web', n));
    const [w] = planAllocations([network('a', 'default', { subnet: '10.1.0.0/24' })], [service('a', 'web', [])], all, [], tasks);
    expect(Object.keys(w.status.nodes!)).toHaveLength(31);
    expect(w.status.message).toBe(
      'subnet 10.1.0.0/24 is full: its 31 node slots are taken, so nodes n032, n033 cannot join (give the network a larger subnet: a /16 holds 992 nodes)',
    );
    const fewer = all.filter((n) => n !== 'n001' && n !== 'n002');
    const [again] = planAllocations([network('a', 'default', { subnet: '10.1.0.0/24' }, w.status)], [service('a', 'web', [])], fewer, [], tasks);
    expect(Object.keys(again.status.nodes!)).toHaveLength(31);
    expect(again.status.message).toBeUndefined();
  });
});
