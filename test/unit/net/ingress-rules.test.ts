// The routing mesh's rules, planned from the Store's state (pure; in-memory objects).
import type { Service, Task } from '../../../src/api/objects.js';
import { ingressJumps, ingressRules, jumpScript, meshPorts } from '../../../src/net/ingress-rules.js';
import type { PortSpec } from '../../../src/stackfile/types.js';

const meta = (name: string, namespace: string, created = '2026-01-01T00:00:00Z') => ({
  name,
  namespace,
  uid: `${namespace}/${name}`,
  generation: 1,
  resourceVersion: '1',
  labels: {},
  annotations: {},
  creationTimestamp: created,
  ownerReferences: [],
});
const svc = (stack: string, name: string, ports: PortSpec[], created?: string, extra: object = {}): Service => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Service',
  metadata: meta(name, stack, created),
  spec: { stack, template: { ports, ...extra } as never },
});
const task = (stack: string, service: string, ip: string | undefined, over: Partial<Task['status']> = {}, desired: 'running' | 'shutdown' = 'running'): Task => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Task',
  metadata: meta(`${service}.${ip}`, stack),
  spec: { stack, service, desiredState: desired, specHash: 'h', template: {} as never },
  status: { state: 'running', timestamp: '', message: '', addresses: ip ? { stackd_ingress: ip, [`${stack}_default`]: '10.128.16.9' } : {}, ...over },
});
const ingress = (published: number, target = 80, protocol: 'tcp' | 'udp' = 'tcp'): PortSpec => ({ published, target, protocol, mode: 'ingress' });

describe('meshPorts', () => {
  it('takes ingress ports only, with the ready tasks on the ingress network as backends', () => {
    const services = [
      svc('acc', 'web', [ingress(8080), { published: 9000, target: 90, protocol: 'tcp', mode: 'host' }, { target: 81, protocol: 'tcp', mode: 'ingress' }]),
      svc('acc', 'api', [ingress(53, 5353, 'udp')]),
    ];
    const tasks = [
      task('acc', 'web', '10.128.1.5'),
      task('acc', 'web', '10.128.2.7'),
      task('acc', 'web', '10.128.1.6', { health: 'unhealthy' }),
      task('acc', 'web', '10.128.1.8', {}, 'shutdown'),
      task('acc', 'web', '10.128.1.9', { state: 'starting' }),
      task('acc', 'web', undefined),
      task('other', 'web', '10.128.3.3'),
    ];
    expect(meshPorts(services, tasks, 'stackd_ingress')).toEqual([
      { published: 53, protocol: 'udp', target: 5353, service: 'acc_api', backends: [] },
      { published: 8080, protocol: 'tcp', target: 80, service: 'acc_web', backends: ['10.128.1.5', '10.128.2.7'] },
    ]);
  });

  it('of two services claiming one port the older keeps it; network_mode services are not on the mesh', () => {
    const services = [
      svc('new', 'web', [ingress(8080)], '2026-02-01T00:00:00Z'),
      svc('old', 'web', [ingress(8080)]),
      svc('h', 'x', [ingress(7000)], undefined, { network_mode: 'host' }),
    ];
    expect(meshPorts(services, [], 'stackd_ingress').map((p) => p.service)).toEqual(['old_web']);
  });
});

describe('ingressRules', () => {
  it('DNATs each port to its backends by statistic, masquerades into the ingress bridge, forwards both ways', () => {
    const rules = ingressRules(
      [
        { published: 8080, protocol: 'tcp', target: 80, service: 'acc_web', backends: ['10.128.1.5', '10.128.2.7', '10.128.2.8'] },
        { published: 8081, protocol: 'tcp', target: 80, service: 'acc_api', backends: [] },
      ],
      'sdbr4097',
      'stackd',
    );
    expect(rules.split('\n')).toEqual([
      '*nat',
      ':STACKD-INGRESS - [0:0]',
      ':STACKD-INGRESS-SNAT - [0:0]',
      '-A STACKD-INGRESS -p tcp -m tcp --dport 8080 -m comment --comment "stackd ingress acc_web 8080/tcp" -m statistic --mode random --probability 0.33333333 -j DNAT --to-destination 10.128.1.5:80',
      '-A STACKD-INGRESS -p tcp -m tcp --dport 8080 -m comment --comment "stackd ingress acc_web 8080/tcp" -m statistic --mode random --probability 0.50000000 -j DNAT --to-destination 10.128.2.7:80',
      '-A STACKD-INGRESS -p tcp -m tcp --dport 8080 -m comment --comment "stackd ingress acc_web 8080/tcp" -j DNAT --to-destination 10.128.2.8:80',
      '-A STACKD-INGRESS-SNAT -o sdbr4097 -m conntrack --ctstate DNAT -m comment --comment "stackd ingress snat" -j MASQUERADE',
      'COMMIT',
      '*filter',
      ':STACKD-INGRESS-FWD - [0:0]',
      '-A STACKD-INGRESS-FWD -o sdbr4097 -m conntrack --ctstate DNAT -m comment --comment "stackd ingress forward" -j ACCEPT',
      '-A STACKD-INGRESS-FWD -i sdbr4097 -m conntrack --ctstate DNAT -m comment --comment "stackd ingress forward" -j ACCEPT',
      'COMMIT',
      '',
    ]);
  });

  it('no ports: the chains are emptied (rules of a removed service go)', () => {
    expect(ingressRules([], 'sdbr4097', 'stackd')).not.toContain('DNAT --to');
  });

  it('jumps are checked before they are inserted, so a restarted agent adds none twice', () => {
    const script = jumpScript(ingressJumps('stackd'));
    expect(script).toContain(
      "iptables -t nat -C PREROUTING -m addrtype --dst-type LOCAL -m comment --comment 'stackd ingress' -j STACKD-INGRESS 2>/dev/null || iptables -t nat -I PREROUTING 1 -m addrtype",
    );
    expect(script).toContain("iptables -t nat -C OUTPUT '!' -d 127.0.0.0/8");
    expect(script.match(/ -C /g)).toHaveLength(4);
  });
});
