import type { Node, Task } from '../../../src/api/objects.js';
import { schedule } from '../../../src/scheduler/schedule.js';
import type { PortSpec } from '../../../src/stackfile/types.js';
import { node, service, task } from '../orchestrator/fixtures.js';

const GiB = 1024 ** 3;
const web = (deploy: Parameters<typeof service>[1] = {}) => service('web', deploy);
const pendings = (svc: ReturnType<typeof service>, n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => task(svc, `${svc.metadata.name}.${from + i}`, { slot: from + i, state: 'pending' }));
const placed = (result: ReturnType<typeof schedule>) => Object.fromEntries(result.assignments.map((a) => [a.taskName, a.nodeName]));
const reasons = (result: ReturnType<typeof schedule>) => Object.fromEntries(result.unschedulable.map((u) => [u.taskName, u.reason]));
const withMesh = (n: Node): Node => ({ ...n, status: { ...n.status!, mesh: true } });
const port = (published: number, extra: Partial<PortSpec> = {}): PortSpec => ({ target: 80, published, protocol: 'tcp', mode: 'host', ...extra });

describe('schedule: ranking', () => {
  it('spreads a service over nodes: fewest tasks of the same service first', () => {
    const svc = web();
    expect(placed(schedule(pendings(svc, 3), [node('a'), node('b'), node('c')], []))).toEqual({ 'web.1': 'a', 'web.2': 'b', 'web.3': 'c' });
  });

  it('then fewest tasks overall', () => {
    const other = service('db');
    const busy = [task(other, 'd1', { node: 'a' }), task(other, 'd2', { node: 'a' }), task(other, 'd3', { node: 'b' })];
    expect(placed(schedule(pendings(web(), 2), [node('a'), node('b'), node('c')], busy))).toEqual({ 'web.1': 'c', 'web.2': 'b' });
  });

  it('counts running tasks of the same service already placed', () => {
    const svc = web();
    const running = [task(svc, 'x', { slot: 9, node: 'a' }), task(svc, 'y', { slot: 8, node: 'b' })];
    expect(placed(schedule(pendings(svc, 1), [node('a'), node('b'), node('c')], running))).toEqual({ 'web.1': 'c' });
  });

  it('ties break on the node name, deterministically', () => {
    expect(placed(schedule(pendings(web(), 1), [node('zeta'), node('alpha'), node('mid')], []))).toEqual({ 'web.1': 'alpha' });
  });

  it('spread=node.labels.zone balances across zones before nodes', () => {
    const svc = web({ deploy: { placement: { preferences: [{ spread: 'node.labels.zone' }] } } });
    const nodes = [
      node('a1', { labels: { zone: 'a' } }),
      node('a2', { labels: { zone: 'a' } }),
      node('a3', { labels: { zone: 'a' } }),
      node('b1', { labels: { zone: 'b' } }),
    ];
    const got = placed(schedule(pendings(svc, 4), nodes, []));
    const perNode: Record<string, number> = {};
    for (const n of Object.values(got)) perNode[n] = (perNode[n] ?? 0) + 1;
    expect(perNode).toEqual({ a1: 1, a2: 1, b1: 2 }); // zone a: 2, zone b: 2
  });

  it('nodes without the spread label form one group of their own', () => {
    const svc = web({ deploy: { placement: { preferences: [{ spread: 'node.labels.zone' }] } } });
    const nodes = [node('a1', { labels: { zone: 'a' } }), node('a2', { labels: { zone: 'a' } }), node('x1'), node('x2')];
    expect(Object.values(placed(schedule(pendings(svc, 2), nodes, []))).sort()).toEqual(['a1', 'x1']);
    // the unlabelled nodes share one group: with 4 nodes and 4 tasks, two tasks go to each group
    const four = Object.values(placed(schedule(pendings(svc, 4), [nodes[0], nodes[2], nodes[3]], []))).sort();
    expect(four).toEqual(['a1', 'a1', 'x1', 'x2']);
  });

  it('nested preferences: zone, then rack within the zone', () => {
    const svc = web({ deploy: { placement: { preferences: [{ spread: 'node.labels.zone' }, { spread: 'node.labels.rack' }] } } });
    const nodes = [
      node('a-r1-1', { labels: { zone: 'a', rack: '1' } }),
      node('a-r1-2', { labels: { zone: 'a', rack: '1' } }),
      node('a-r2-1', { labels: { zone: 'a', rack: '2' } }),
      node('b-r1-1', { labels: { zone: 'b', rack: '1' } }),
    ];
    const got = placed(schedule(pendings(svc, 4), nodes, []));
    // two per zone; in zone a one per rack
    expect(Object.values(got).sort()).toEqual(['a-r1-1', 'a-r2-1', 'b-r1-1', 'b-r1-1']);
  });

  it('spread counts tasks already running in a zone', () => {
    const svc = web({ deploy: { placement: { preferences: [{ spread: 'node.labels.zone' }] } } });
    const nodes = [node('a1', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b' } }), node('b2', { labels: { zone: 'b' } })];
    const running = [task(svc, 'r', { slot: 5, node: 'b1' })];
    expect(placed(schedule(pendings(svc, 1), nodes, running))).toEqual({ 'web.1': 'a1' });
  });
});

describe('schedule: filters and reasons', () => {
  type Case = [string, ReturnType<typeof service>, Node[], Task[], Record<string, string>, Record<string, string>];
  const svcPort = web({ ports: [port(80)] });
  const cases: Case[] = [
    ['no nodes at all', web(), [], [], {}, { 'web.1': 'no suitable node (no nodes)' }],
    ['not ready nodes are skipped', web(), [node('a', { state: 'down' }), node('b')], [], { 'web.1': 'b' }, {}],
    [
      'paused and drained nodes take nothing new',
      web(),
      [node('a', { availability: 'pause' }), node('b', { availability: 'pause' }), node('c', { availability: 'drain' })],
      [],
      {},
      { 'web.1': 'no suitable node (2 nodes paused; 1 node drained)' },
    ],
    [
      'the constraint that eliminated the last nodes comes first',
      web({ deploy: { placement: { constraints: ['node.labels.zone==east'] } } }),
      [node('a', { state: 'down', labels: { zone: 'east' } }), node('b'), node('c', { labels: { zone: 'west' } })],
      [],
      {},
      { 'web.1': 'no suitable node (constraint node.labels.zone==east: 0/2 nodes; 1 node not ready)' },
    ],
    [
      'a matching constraint places',
      web({ deploy: { placement: { constraints: ['node.role==manager'] } } }),
      [node('a'), node('b', { role: 'manager' })],
      [],
      { 'web.1': 'b' },
      {},
    ],
    [
      'an invalid constraint says so',
      web({ deploy: { placement: { constraints: ['zone=east'] } } }),
      [node('a')],
      [],
      {},
      { 'web.1': 'invalid constraint "zone=east": expected KEY==VALUE or KEY!=VALUE' },
    ],
    [
      'memory reservations against capacity minus what runs there',
      web({ deploy: { resources: { limits: {}, reservations: { memory: 3 * GiB } } } }),
      [node('a', { memory: 4 * GiB }), node('b', { memory: 2 * GiB })],
      [task(service('db', { deploy: { resources: { limits: {}, reservations: { memory: 2 * GiB } } } }), 'd', { node: 'a' })],
      {},
      { 'web.1': 'no suitable node (insufficient memory (3GiB reserved) on 2 nodes)' },
    ],
    [
      'a task shutting down still holds its reservation until it has stopped',
      web({ deploy: { resources: { limits: {}, reservations: { cpus: 2 } } } }),
      [node('a', { cpus: 2 }), node('b', { cpus: 2 })],
      [task(service('db', { deploy: { resources: { limits: {}, reservations: { cpus: 1 } } } }), 'd', { node: 'a', desired: 'shutdown' })],
      { 'web.1': 'b' },
      {},
    ],
    [
      'ended tasks hold nothing',
      web({ deploy: { resources: { limits: {}, reservations: { cpus: 2 } } } }),
      [node('a', { cpus: 2 })],
      [task(service('db', { deploy: { resources: { limits: {}, reservations: { cpus: 2 } } } }), 'd', { node: 'a', state: 'failed' })],
      { 'web.1': 'a' },
      {},
    ],
    [
      'a host port in use on a node sends the task elsewhere',
      svcPort,
      [node('a'), node('b')],
      [task(service('other', { ports: [port(80)] }), 'o', { node: 'a' })],
      { 'web.1': 'b' },
      {},
    ],
    [
      'an ingress port conflicts like a host port (published on the node engine)',
      svcPort,
      [node('a')],
      [task(service('other', { ports: [port(80, { mode: 'ingress' })] }), 'o', { node: 'a' })],
      {},
      { 'web.1': 'no suitable node (port 80/tcp in use on 1 node)' },
    ],
    [
      'same port, other protocol: no conflict',
      svcPort,
      [node('a')],
      [task(service('other', { ports: [port(80, { protocol: 'udp' })] }), 'o', { node: 'a' })],
      { 'web.1': 'a' },
      {},
    ],
    [
      'same port on two distinct host addresses: no conflict',
      web({ ports: [port(80, { host_ip: '10.0.0.1' })] }),
      [node('a')],
      [task(service('other', { ports: [port(80, { host_ip: '10.0.0.2' })] }), 'o', { node: 'a' })],
      { 'web.1': 'a' },
      {},
    ],
    [
      'a specific address conflicts with every-address',
      web({ ports: [port(80, { host_ip: '10.0.0.1' })] }),
      [node('a')],
      [task(service('other', { ports: [port(80, { host_ip: '0.0.0.0' })] }), 'o', { node: 'a' })],
      {},
      { 'web.1': 'no suitable node (port 80/tcp in use on 1 node)' },
    ],
    [
      'an unpublished port never conflicts',
      web({ ports: [{ target: 80, protocol: 'tcp', mode: 'ingress' }] }),
      [node('a')],
      [task(service('other', { ports: [{ target: 80, protocol: 'tcp', mode: 'ingress' }] }), 'o', { node: 'a' })],
      { 'web.1': 'a' },
      {},
    ],
  ];
  it.each(cases)('%s', (_name, svc, nodes, tasks, wantPlaced, wantReasons) => {
    const result = schedule(pendings(svc, 1), nodes, tasks);
    expect(placed(result)).toEqual(wantPlaced);
    expect(reasons(result)).toEqual(wantReasons);
  });
});

describe('schedule: batch semantics', () => {
  it('each assignment counts for the next: cpus', () => {
    const svc = web({ deploy: { resources: { limits: {}, reservations: { cpus: 0.6 } } } });
    const result = schedule(pendings(svc, 3), [node('a', { cpus: 1 }), node('b', { cpus: 1 })], []);
    expect(placed(result)).toEqual({ 'web.1': 'a', 'web.2': 'b' });
    expect(reasons(result)).toEqual({ 'web.3': 'no suitable node (insufficient cpus (0.6 reserved) on 2 nodes)' });
  });

  it('each assignment counts for the next: host ports (one replica per node)', () => {
    const svc = web({ ports: [port(8080)] });
    const result = schedule(pendings(svc, 3), [node('a'), node('b')], []);
    expect(placed(result)).toEqual({ 'web.1': 'a', 'web.2': 'b' });
    expect(reasons(result)).toEqual({ 'web.3': 'no suitable node (port 8080/tcp in use on 2 nodes)' });
  });

  it('routing mesh: ingress ports hold nothing on a mesh node, so replicas: 3 fits on two; host ports still do', () => {
    const mesh = (name: string) => withMesh(node(name));
    const ingress = web({ ports: [port(8080, { mode: 'ingress' })] });
    const spread = schedule(pendings(ingress, 3), [mesh('a'), mesh('b')], []);
    expect(Object.keys(placed(spread)).sort()).toEqual(['web.1', 'web.2', 'web.3']);
    expect(reasons(spread)).toEqual({});
    const host = web({ ports: [port(8080)] });
    expect(reasons(schedule(pendings(host, 3), [mesh('a'), mesh('b')], []))).toEqual({ 'web.3': 'no suitable node (port 8080/tcp in use on 2 nodes)' });
    // a node without the mesh (agent without --netns) still publishes ingress ports on its engine
    expect(reasons(schedule(pendings(ingress, 3), [mesh('a'), node('b')], []))).toEqual({});
    const onPlain = schedule(pendings(ingress, 2), [node('b')], []);
    expect(reasons(onPlain)).toEqual({ 'web.2': 'no suitable node (port 8080/tcp in use on 1 node)' });
  });

  it('max_replicas_per_node', () => {
    const svc = web({ deploy: { placement: { max_replicas_per_node: 1 } } });
    const result = schedule(pendings(svc, 3), [node('a'), node('b'), node('c', { state: 'down' })], []);
    expect(placed(result)).toEqual({ 'web.1': 'a', 'web.2': 'b' });
    expect(reasons(result)).toEqual({ 'web.3': 'no suitable node (max_replicas_per_node 1 reached on 2 nodes; 1 node not ready)' });
  });

  it('a task already named to a node (global) is checked against that node only', () => {
    const svc = service('agent', { deploy: { mode: 'global' }, ports: [port(9100)] });
    const pending = [
      task(svc, 'g-a', { node: 'a', state: 'pending' }),
      task(svc, 'g-b', { node: 'b', state: 'pending' }),
      task(svc, 'g-x', { node: 'x', state: 'pending' }),
    ];
    const blocker = task(service('other', { ports: [port(9100)] }), 'o', { node: 'b' });
    const result = schedule(pending, [node('a'), node('b'), node('c')], [blocker, ...pending]);
    expect(placed(result)).toEqual({ 'g-a': 'a' });
    expect(reasons(result)).toEqual({ 'g-b': 'no suitable node (port 9100/tcp in use on 1 node)', 'g-x': 'node x not found' });
  });

  it('ignores tasks that are not pending or no longer wanted', () => {
    const svc = web();
    const result = schedule([task(svc, 'r', { slot: 1, state: 'running' }), task(svc, 's', { slot: 2, state: 'pending', desired: 'shutdown' })], [node('a')], []);
    expect(result).toEqual({ assignments: [], unschedulable: [] });
  });

  it('pending tasks in the task list hold nothing', () => {
    const svc = web({ deploy: { resources: { limits: {}, reservations: { cpus: 1 } } } });
    const pending = pendings(svc, 1);
    const stuck = task(svc, 'other', { slot: 2, node: 'a', state: 'pending' });
    expect(placed(schedule(pending, [node('a', { cpus: 1 })], [...pending, stuck]))).toEqual({ 'web.1': 'a' });
  });
});
