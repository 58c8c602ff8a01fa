import type { Resource } from '../../../src/api/meta.js';
import type { Network, Node, Service, Stack, Task } from '../../../src/api/objects.js';
import { networkView } from '../../../src/apiserver/network-view.js';
import { toTable } from '../../../src/apiserver/table.js';
import { attachedServices } from '../../../src/net/attach.js';
import { resolveName } from '../../../src/net/endpoints.js';
import { meshPorts } from '../../../src/net/ingress-rules.js';
import { vipTargets } from '../../../src/net/vip-rules.js';

const meta = (name: string, namespace: string) => ({
  name,
  namespace,
  uid: name,
  generation: 1,
  resourceVersion: '7',
  labels: { tier: 'x' },
  annotations: { note: 'kept from nodes' },
  creationTimestamp: `2026-01-01T00:00:0${name.length}Z`,
  ownerReferences: [],
});
const own: Network = {
  apiVersion: 'stackd.io/v1',
  kind: 'Network',
  metadata: meta('default', 's'),
  spec: { name: 's_default', stack: 's', driver_opts: {}, external: false, labels: {} },
  status: { subnet: '10.128.0.0/20', vni: 4097, nodes: { n1: 0, n2: 1 }, vips: { api: '10.128.0.1', web: '10.128.0.2' } },
};
const shared: Network = {
  apiVersion: 'stackd.io/v1',
  kind: 'Network',
  metadata: meta('shared', ''),
  spec: { name: 'shared', driver_opts: {}, external: false, labels: {} } as never,
  status: { subnet: '10.129.0.0/20', vni: 4098, nodes: { n1: 0, n2: 1 }, vips: { s_api: '10.129.0.1' } },
};
const template = (name: string, ports: object[] = []) =>
  ({
    image: `secret-image-${name}`,
    environment: { PASSWORD: 'hunter2' },
    command: ['secret-cmd', name],
    secrets: [{ source: 'db', target: 'db' }],
    networks: { default: { aliases: [`${name}-alias`] }, ext: { aliases: [] } },
    ports,
    deploy: { mode: 'replicated', endpoint_mode: 'vip', replicas: 2 },
    dns: ['192.0.2.53'],
  }) as never;
const svc = (name: string, ports: object[] = []): Service => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Service',
  metadata: meta(name, 's'),
  spec: { stack: 's', template: template(name, ports) },
  status: { replicas: { desired: 2, running: 2, failed: 0 } },
});
const task = (name: string, service: string, node: string, ips: Record<string, string>): Task => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Task',
  metadata: meta(name, 's'),
  spec: { stack: 's', service, slot: 1, nodeName: node, desiredState: 'running', specHash: 'h', template: template(service) },
  status: { state: 'running', timestamp: '', message: 'started', containerId: 'c0ffee', addresses: ips },
});
const stack: Stack = {
  apiVersion: 'stackd.io/v1',
  kind: 'Stack',
  metadata: meta('s', ''),
  spec: {
    name: 's',
    services: { api: template('api') },
    networks: { default: { name: 's_default' } as never, ext: { name: 'shared', external: true } as never },
    volumes: {},
    configs: {},
    secrets: { db: { name: 's_db' } as never },
  },
};
const node = (name: string): Node => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Node',
  metadata: meta(name, ''),
  spec: { role: 'worker', availability: 'active', labels: { zone: 'a' } } as never,
  status: { state: 'ready', hostname: name, address: `10.250.0.${name.length}`, mesh: true, engineLabels: {}, cpus: 2, memoryBytes: 1, dockerEndpoint: 'unix:///x' },
});

const services = [svc('api'), svc('web', [{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }])];
const tasks = [
  task('a1', 'api', 'n1', { s_default: '10.128.0.130', shared: '10.129.0.130', stackd_ingress: '10.0.0.3' }),
  task('a2', 'api', 'n2', { s_default: '10.128.1.2', shared: '10.129.1.2' }),
  task('w1', 'web', 'n2', { s_default: '10.128.1.3', stackd_ingress: '10.0.1.3' }),
];
const viewed = <T extends Resource>(objs: T[]) => objs.map((o) => networkView(o, 'n1') as T);

test("another node's task, the services and the stacks lose everything but their networking", () => {
  const [, a2] = viewed(tasks);
  expect(a2.spec).toEqual({ stack: 's', service: 'api', slot: 1, nodeName: 'n2', desiredState: 'running' });
  expect(a2.status).toEqual({ state: 'running', health: undefined, addresses: tasks[1].status!.addresses });
  expect(a2.metadata.annotations).toEqual({});
  const text = JSON.stringify([...viewed(services), ...viewed([stack]), a2]);
  for (const hidden of ['hunter2', 'secret-image', 'secret-cmd', 's_db', 'c0ffee', '192.0.2.53']) expect(text).not.toContain(hidden);
});

test("this node's own task and Node are served whole; other nodes their spec, state, hostname and address", () => {
  expect(networkView(tasks[0], 'n1')).toBe(tasks[0]);
  expect(networkView(node('n1'), 'n1')).toEqual(node('n1'));
  const other = networkView(node('n22'), 'n1') as Node;
  expect(other.spec).toEqual(node('n22').spec);
  expect(other.status).toEqual({ state: 'ready', hostname: 'n22', address: node('n22').status!.address, mesh: true });
});

test("the view answers what the node's networking asks exactly as the whole objects do", () => {
  const full = { networks: [own, shared], services, tasks, stacks: [stack] };
  const view = { networks: [own, shared], services: viewed(services), tasks: viewed(tasks), stacks: viewed([stack]) };
  for (const name of ['api', 'web', 'tasks.api', 's_web', 'api-alias', 'nothing.example']) {
    for (const client of ['10.128.0.130', '10.129.0.130']) expect(resolveName(name, client, view)).toEqual(resolveName(name, client, full));
  }
  // the stacks' view still says which stacks share the cluster network (external in their files)
  expect(attachedServices(shared, view.services, view.stacks).map((s) => s.metadata.name)).toEqual(['api', 'web']);
  expect(vipTargets(['s_default', 'shared'], view.networks, view.tasks)).toEqual(vipTargets(['s_default', 'shared'], full.networks, full.tasks));
  expect(meshPorts(view.services, view.tasks, 'stackd_ingress')).toEqual(meshPorts(services, tasks, 'stackd_ingress'));
  expect(meshPorts(view.services, view.tasks, 'stackd_ingress')[0].backends).toEqual(['10.0.1.3']);
});

test('kubectl get prints the view (server-side Table rows)', () => {
  const rows = (kind: string, objs: Resource[]) => toTable(kind, viewed(objs), '7').rows.map((r: { cells: unknown[] }) => r.cells);
  expect(rows('Task', [tasks[1]])).toEqual([['a2', 's_api.1', '', 'n2', 'Running', 'Running', '']]);
  expect(rows('Service', [services[1]])).toEqual([['web', 'replicated', '2/2', '', '*:8080->80/tcp']]);
  expect(rows('Node', [node('n22')])[0].slice(0, 5)).toEqual(['n22', 'n22', 'Ready', 'Active', 'worker']);
  expect(rows('Stack', [stack])[0].slice(0, 2)).toEqual(['s', 0]);
});
