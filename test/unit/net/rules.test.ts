import type { Network, Service, Task } from '../../../src/api/objects.js';
import { resolveName } from '../../../src/net/endpoints.js';
import { vipRules, vipTargets } from '../../../src/net/vip-rules.js';
import { clusterNames, isOwnVxlan, vxlanFor } from '../../../src/net/host-names.js';
import { planVxlan } from '../../../src/net/vxlan.js';

const meta = (name: string, namespace: string) => ({
  name,
  namespace,
  uid: name,
  generation: 1,
  resourceVersion: '1',
  labels: {},
  annotations: {},
  creationTimestamp: '',
  ownerReferences: [],
});
const net: Network = {
  apiVersion: 'stackd.io/v1',
  kind: 'Network',
  metadata: meta('default', 's'),
  spec: { name: 's_default', stack: 's', driver_opts: {}, external: false, labels: {} },
  status: { subnet: '10.128.0.0/20', vni: 4097, nodes: {}, vips: { api: '10.128.0.1' } },
};
const svc = (name: string, endpoint: 'vip' | 'dnsrr', aliases: string[] = []): Service => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Service',
  metadata: meta(name, 's'),
  spec: { stack: 's', template: { networks: { default: { aliases } }, deploy: { endpoint_mode: endpoint } } as never },
});
const task = (name: string, service: string, ip: string, over: Partial<Task['status']> = {}, desired: 'running' | 'shutdown' = 'running'): Task => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Task',
  metadata: meta(name, 's'),
  spec: { stack: 's', service, desiredState: desired, specHash: 'h', template: { dns: undefined } as never },
  status: { state: 'running', timestamp: '', message: '', addresses: { s_default: ip }, ...over },
});

const tasks = [
  task('a1', 'api', '10.128.0.130'),
  task('a2', 'api', '10.128.1.2'),
  task('a3', 'api', '10.128.1.3', { health: 'unhealthy' }),
  task('a4', 'api', '10.128.1.4', {}, 'shutdown'),
  task('a5', 'api', '10.128.1.5', { state: 'starting' }),
  task('d1', 'db', '10.128.0.140'),
  task('c1', 'client', '10.128.0.150'),
];
const view = { networks: [net], services: [svc('api', 'vip', ['backend']), svc('db', 'dnsrr'), svc('client', 'vip')], tasks };

describe('resolveName', () => {
  it.each([
    ['api', ['10.128.0.1']],
    ['s_api.', ['10.128.0.1']],
    ['BACKEND', ['10.128.0.1']],
    ['tasks.api', ['10.128.0.130', '10.128.1.2']],
    ['db', ['10.128.0.140']],
    ['tasks.db', ['10.128.0.140']],
    ['example.com', undefined],
  ])('%s from a task of the stack → %j (unhealthy, stopping and starting tasks left out)', (name, want) => {
    expect(resolveName(name, '10.128.0.150', view)).toEqual(want);
  });

  it('answers nothing to a client on no network of the stack', () => {
    expect(resolveName('api', '10.129.0.5', view)).toBeUndefined();
  });
});

describe('VIP rules', () => {
  it('DNATs each VIP to its ready tasks, spread evenly by statistic', () => {
    const rules = vipRules(vipTargets(['s_default', 'bridge'], [net], tasks), 'stackd');
    expect(rules.split('\n')).toEqual([
      '*nat',
      ':STACKD-VIP - [0:0]',
      '-A STACKD-VIP -d 10.128.0.1/32 -m comment --comment "stackd vip s_api" -m statistic --mode random --probability 0.50000000 -j DNAT --to-destination 10.128.0.130',
      '-A STACKD-VIP -d 10.128.0.1/32 -m comment --comment "stackd vip s_api" -j DNAT --to-destination 10.128.1.2',
      'COMMIT',
      '*filter',
      ':STACKD-VIP - [0:0]',
      'COMMIT',
      '',
    ]);
    expect(vipTargets(['other'], [net], tasks)).toEqual([]);
  });

  it('refuses at once what goes to a VIP with no ready task (no silent drop)', () => {
    const rules = vipRules([{ vip: '10.128.0.2', service: 's_db', backends: [] }], 'stackd');
    expect(rules.split('\n')).toEqual([
      '*nat',
      ':STACKD-VIP - [0:0]',
      'COMMIT',
      '*filter',
      ':STACKD-VIP - [0:0]',
      '-A STACKD-VIP -d 10.128.0.2/32 -m comment --comment "stackd vip s_db has no ready task" -p tcp -j REJECT --reject-with tcp-reset',
      '-A STACKD-VIP -d 10.128.0.2/32 -m comment --comment "stackd vip s_db has no ready task" -j REJECT --reject-with icmp-port-unreachable',
      'COMMIT',
      '',
    ]);
  });
});

describe('planVxlan', () => {
  const mine = clusterNames('cluster-a'); // tag 34ab
  const own = (dev: string) => isOwnVxlan(dev, mine);
  it('adds a device per network, attaches it, floods to new peers, forgets gone ones and devices', () => {
    const actual = [
      { name: 'sdx34ab4097', vni: 4097, master: 'sdb34ab4097', peers: ['10.0.0.2', '10.0.0.9'] },
      { name: 'sdx34ab4099', vni: 4099, master: 'sdb34ab4099', peers: [] },
    ];
    const wanted = [4097, 4098].map((vni) => ({ vni, bridge: mine.bridge(vni) }));
    expect(planVxlan(wanted, actual, '10.0.0.1', ['10.0.0.2', '10.0.0.3'], own)).toEqual([
      ['ip', 'link', 'del', 'sdx34ab4099'],
      ['bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', 'sdx34ab4097', 'dst', '10.0.0.3'],
      ['bridge', 'fdb', 'del', '00:00:00:00:00:00', 'dev', 'sdx34ab4097', 'dst', '10.0.0.9'],
      ['ip', 'link', 'add', 'sdx34ab4098', 'type', 'vxlan', 'id', '4098', 'dstport', '4789', 'local', '10.0.0.1', 'learning'],
      ['ip', 'link', 'set', 'sdx34ab4098', 'mtu', '1450', 'master', 'sdb34ab4098', 'up'],
      ['bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', 'sdx34ab4098', 'dst', '10.0.0.2'],
      ['bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', 'sdx34ab4098', 'dst', '10.0.0.3'],
    ]);
    expect(planVxlan(wanted.slice(0, 1), [{ ...actual[0], peers: ['10.0.0.2'] }], '10.0.0.1', ['10.0.0.2'], own)).toEqual([]);
  });

  it("never removes another cluster's devices, nor legacy ones (sdvx<vni>) it does not use; keeps a legacy one it uses in step", () => {
    const actual = [
      { name: 'sdxebe94097', vni: 4097, master: 'sdbebe94097', peers: ['10.0.0.2'] },
      { name: 'sdvx4100', vni: 4100, master: 'sdbr4100', peers: ['10.0.0.2'] },
      { name: 'sdvx4101', vni: 4101, master: 'sdbr4101', peers: ['10.0.0.2'] },
    ];
    expect(planVxlan([{ vni: 4101, bridge: 'sdbr4101' }], actual, '10.0.0.1', ['10.0.0.2', '10.0.0.3'], own)).toEqual([
      ['bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', 'sdvx4101', 'dst', '10.0.0.3'],
    ]);
    expect(planVxlan([], actual, '10.0.0.1', [], own)).toEqual([]);
  });

  it('device names fit in 15 bytes for any VNI', () => {
    const names = clusterNames('cluster-b');
    for (const vni of [1, 4097, 16_777_215]) {
      expect(names.bridge(vni).length).toBeLessThanOrEqual(15);
      expect(vxlanFor(names.bridge(vni)).length).toBeLessThanOrEqual(15);
    }
    expect(vxlanFor('sdbr4097')).toBe('sdvx4097');
    expect(vxlanFor('sdbebe94097')).toBe('sdxebe94097');
  });
});
