// Cluster networks made with `stackctl network create` and shared by stacks (external: true):
// creation rules, who uses one, allocation of VIPs per STACK_SERVICE, names, rules, and what an
// agent makes or removes on its node. Pure planning, Store objects built in memory.
import type { Network, Service, Stack, Task } from '../../../src/api/objects.js';
import { missingExternalNetworks, planNetworkCreate, stacksUsing } from '../../../src/net/cluster-network.js';
import { resolveName } from '../../../src/net/endpoints.js';
import { planAllocations } from '../../../src/net/plan-alloc.js';
import { planSharedOnNode } from '../../../src/net/shared-on-node.js';
import { vipRules, vipTargets } from '../../../src/net/vip-rules.js';
import type { NetworkSpec, StackSpec } from '../../../src/stackfile/types.js';

const meta = (name: string, namespace: string, created = '2026-01-01T00:00:00Z') => ({
  name,
  namespace,
  uid: `${namespace}-${name}`,
  generation: 1,
  resourceVersion: '1',
  labels: {},
  annotations: {},
  creationTimestamp: created,
  ownerReferences: [],
});
const shared = (status?: Network['status'], extra: Partial<Network['spec']> = {}): Network => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Network',
  metadata: meta('shared', ''),
  spec: { name: 'shared', stack: '', driver: 'overlay', driver_opts: {}, external: false, attachable: true, labels: {}, ...extra },
  ...(status ? { status } : {}),
});
const ext = (name: string): NetworkSpec => ({ name, driver_opts: {}, external: true, labels: {} });
const own = (stack: string, key: string): NetworkSpec => ({ name: `${stack}_${key}`, driver_opts: {}, external: false, labels: {} });
const stack = (name: string, networks: Record<string, NetworkSpec>): Stack => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Stack',
  metadata: meta(name, ''),
  spec: { name, services: {}, networks, volumes: {}, configs: {}, secrets: {} } as StackSpec,
});
const service = (st: string, name: string, keys: string[], aliases: string[] = []): Service => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Service',
  metadata: meta(name, st),
  spec: { stack: st, template: { networks: Object.fromEntries(keys.map((k) => [k, { aliases }])), deploy: { endpoint_mode: 'vip' } } as never },
});
const task = (st: string, svc: string, ips: Record<string, string>): Task => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Task',
  metadata: meta(`${svc}1`, st),
  spec: { stack: st, service: svc, desiredState: 'running', specHash: 'h', template: {} as never },
  status: { state: 'running', timestamp: '', message: '', addresses: ips },
});

// stacks a and b both have an `api` and both join `shared` (a as key `mesh`, b as key `shared`)
const stacks = [
  stack('a', { mesh: ext('shared'), default: own('a', 'default') }),
  stack('b', { shared: ext('shared') }),
  stack('c', { default: own('c', 'default') }),
];
const services = [service('a', 'api', ['mesh', 'default'], ['backend']), service('b', 'api', ['shared']), service('b', 'web', ['shared']), service('c', 'api', [])];

describe('network create', () => {
  const flags = { driver: 'overlay', attachable: true, internal: false, labels: ['team=x'] };
  it('makes a cluster-scoped overlay network with the flags given', () => {
    expect(planNetworkCreate('shared', { ...flags, subnet: '10.20.0.0/16' }, [])).toEqual({
      object: {
        kind: 'Network',
        metadata: { namespace: '', name: 'shared' },
        spec: {
          name: 'shared',
          stack: '',
          driver: 'overlay',
          driver_opts: {},
          external: false,
          attachable: true,
          internal: false,
          labels: { team: 'x' },
          subnet: '10.20.0.0/16',
        },
      },
    });
  });

  it.each([
    ['-bad', {}, 'network -bad: invalid name: use letters, digits, "_", "." and "-" (at most 63), starting with a letter or digit'],
    ['ingress', {}, "network ingress: the name is the cluster's ingress network's"],
    ['shared', {}, 'network shared already exists'],
    ['n', { driver: 'macvlan' }, "network n: --driver macvlan: a cluster network's driver is overlay"],
    ['n', { subnet: '10.1.0.0/25' }, 'network n: --subnet: subnet 10.1.0.0/25 is too small: a cluster network needs /24 or larger'],
    ['n', { subnet: '10.128.0.0/16' }, "network n: --subnet: subnet 10.128.0.0/16 overlaps network shared's"],
    ['n', { labels: ['novalue'] }, 'network n: --label novalue: expected key=value'],
  ])('refuses %s %j', (name, over, problem) => {
    expect(planNetworkCreate(name, { ...flags, ...over }, [shared({ subnet: '10.128.0.0/20' })])).toEqual({ problems: [problem] });
  });

  it('is in use while a stack names it as external', () => {
    expect(stacksUsing('shared', stacks)).toEqual(['a', 'b']);
    expect(stacksUsing('other', stacks)).toEqual([]);
  });

  it('a stack naming a missing one is refused at the place it is declared', () => {
    const spec = { ...stacks[0].spec };
    expect(missingExternalNetworks(spec, [], { 'networks.mesh': 'stack.yml:9:15' })).toEqual([
      'stack.yml:9:15 networks.mesh.external: network shared does not exist in the cluster: create it first (stackctl network create shared)',
    ]);
    expect(missingExternalNetworks(spec, [shared()])).toEqual([]);
  });
});

describe('a network stacks share', () => {
  const [w] = planAllocations([shared()], services, ['n1', 'n2'], stacks);
  const net = shared(w.status);

  it('gets a VIP per STACK_SERVICE of every stack on it, and none for stacks not on it', () => {
    expect(w.status).toEqual({
      subnet: '10.128.0.0/20',
      chunkPrefix: 26,
      vni: 4097,
      nodes: { n1: 1, n2: 2 },
      vips: { a_api: '10.128.0.1', b_api: '10.128.0.2', b_web: '10.128.0.3' },
    });
  });

  const tasks = [
    task('a', 'api', { shared: '10.128.0.130', a_default: '10.129.0.130' }),
    task('b', 'api', { shared: '10.128.1.2' }),
    task('b', 'web', { shared: '10.128.1.3' }),
  ];
  const view = { networks: [net], services, tasks, stacks };

  it.each([
    ['api', '10.128.1.3', ['10.128.0.2']], // b's web asks: its own stack's api first
    ['a_api', '10.128.1.3', ['10.128.0.1']],
    ['backend', '10.128.1.3', ['10.128.0.1']], // a's alias on the network
    ['tasks.a_api', '10.128.1.3', ['10.128.0.130']],
    ['b_web', '10.128.0.130', ['10.128.0.3']],
    ['c_api', '10.128.1.3', undefined], // c is not on it
    ['api', '10.128.9.9', ['10.128.0.1']], // a standalone container on the network: no stack, first found
  ])('%s asked from %s → %j', (name, client, want) => {
    expect(resolveName(name, client, view)).toEqual(want);
  });

  it("DNATs each STACK_SERVICE VIP to that service's tasks only", () => {
    expect(
      vipRules(vipTargets(['shared'], [net], tasks), 'stackd')
        .split('\n')
        .filter((l) => l.startsWith('-A')),
    ).toEqual([
      '-A STACKD-VIP -d 10.128.0.1/32 -m comment --comment "stackd vip a_api" -j DNAT --to-destination 10.128.0.130',
      '-A STACKD-VIP -d 10.128.0.2/32 -m comment --comment "stackd vip b_api" -j DNAT --to-destination 10.128.1.2',
      '-A STACKD-VIP -d 10.128.0.3/32 -m comment --comment "stackd vip b_web" -j DNAT --to-destination 10.128.1.3',
    ]);
  });

  it('an attachable one is made on every node; one gone from the Store goes from the engine', () => {
    const labels = (vni: string, stack = '', cluster = 'c1') => ({
      'io.stackd.node': 'n1',
      'io.stackd.cluster': cluster,
      'io.stackd.stack': stack,
      'io.stackd.vni': vni,
    });
    expect(planSharedOnNode([net], [], 'n1', 'c1')).toEqual({ create: [net], remove: [] });
    expect(planSharedOnNode([net], [{ name: 'shared', labels: labels('4097') }], 'n1', 'c1')).toEqual({ create: [], remove: [] });
    expect(planSharedOnNode([shared(w.status, { attachable: false })], [], 'n1', 'c1')).toEqual({ create: [], remove: [] });
    const local = [
      { name: 'shared', labels: labels('4097') },
      { name: 'a_default', labels: labels('4098', 'a') },
      { name: 'stackd_ingress', labels: labels('4099') },
      { name: 'theirs', labels: labels('4100', '', 'c2') }, // another cluster's, on a shared engine
    ];
    expect(planSharedOnNode([], local, 'n1', 'c1')).toEqual({ create: [], remove: ['shared'] });
  });

  it('a node gives its slot on a non-attachable one back once no task here may be on it, and its agent then removes it', () => {
    const vips = { a_api: '10.128.0.1', b_api: '10.128.0.2', b_web: '10.128.0.3' };
    const status = { subnet: '10.128.0.0/20', chunkPrefix: 26, vni: 4097, nodes: { n1: 1, n2: 2 }, vips };
    const plain = shared(status, { attachable: false });
    const on = (t: Task, node: string, desiredState: 'running' | 'shutdown' = 'running'): Task => ({ ...t, spec: { ...t.spec, nodeName: node, desiredState } });
    const alloc = (ts: Task[], st = stacks) => planAllocations([plain], services, ['n1', 'n2'], st, ts, ['n1', 'n2']);
    // a's api runs on n1: n1 keeps its slot; n2 runs nothing of a stack naming it: given back
    expect(alloc([on(task('a', 'api', {}), 'n1')])[0].status.nodes).toEqual({ n1: 1 });
    // a stopped task with an address on it still holds n2's (its container may be attached)
    expect(alloc([on(task('a', 'api', {}), 'n1'), on(task('z', 'old', { shared: '10.128.1.2' }), 'n2', 'shutdown')])).toEqual([]);
    // a task of a stack naming it, wanted stopped, with no address yet: held too
    expect(alloc([on(task('a', 'api', {}), 'n1'), on(task('b', 'web', {}), 'n2', 'shutdown')])).toEqual([]);
    // the stacks gone (their tasks with them): every slot goes back
    expect(alloc([], [])[0].status.nodes).toEqual({});
    // the ingress and attachable networks keep theirs
    expect(planAllocations([shared(status)], services, ['n1', 'n2'], stacks, [], ['n1', 'n2'])).toEqual([]);

    const local = [{ name: 'shared', labels: { 'io.stackd.node': 'n2', 'io.stackd.cluster': 'c1', 'io.stackd.stack': '', 'io.stackd.vni': '4097' } }];
    expect(planSharedOnNode([plain], local, 'n2', 'c1')).toEqual({ create: [], remove: [] });
    expect(planSharedOnNode([shared({ ...status, nodes: { n1: 1 } }, { attachable: false })], local, 'n2', 'c1')).toEqual({ create: [], remove: ['shared'] });
  });
});
