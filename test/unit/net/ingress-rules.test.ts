// The routing mesh's rules, planned from the Store's state (pure; in-memory objects).
import type { Service, Task } from '../../../src/api/objects.js';
import { clusterNames } from '../../../src/net/host-names.js';
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

// a cluster whose id hashes to tag 34ab (host-names.ts)
const names = clusterNames('cluster-a');

describe('ingressRules', () => {
  it('DNATs each port to its backends by statistic, masquerades into the ingress bridge, forwards both ways', () => {
    const rules = ingressRules(
      [
        { published: 8080, protocol: 'tcp', target: 80, service: 'acc_web', backends: ['10.128.1.5', '10.128.2.7', '10.128.2.8'] },
        { published: 8081, protocol: 'tcp', target: 80, service: 'acc_api', backends: [] },
      ],
      'sdb34ab4097',
      names,
    );
    expect(rules.split('\n')).toEqual([
      '*nat',
      ':STACKD-34AB-INGRESS - [0:0]',
      ':STACKD-34AB-INGRESS-SNAT - [0:0]',
      '-A STACKD-34AB-INGRESS -p tcp -m tcp --dport 8080 -m comment --comment "stackd 34ab ingress acc_web 8080/tcp" -m statistic --mode random --probability 0.33333333 -j DNAT --to-destination 10.128.1.5:80',
      '-A STACKD-34AB-INGRESS -p tcp -m tcp --dport 8080 -m comment --comment "stackd 34ab ingress acc_web 8080/tcp" -m statistic --mode random --probability 0.50000000 -j DNAT --to-destination 10.128.2.7:80',
      '-A STACKD-34AB-INGRESS -p tcp -m tcp --dport 8080 -m comment --comment "stackd 34ab ingress acc_web 8080/tcp" -j DNAT --to-destination 10.128.2.8:80',
      '-A STACKD-34AB-INGRESS-SNAT -o sdb34ab4097 -m conntrack --ctstate DNAT -m comment --comment "stackd 34ab ingress snat" -j MASQUERADE',
      'COMMIT',
      '*filter',
      ':STACKD-34AB-INGRESS-FWD - [0:0]',
      '-A STACKD-34AB-INGRESS-FWD -o sdb34ab4097 -m conntrack --ctstate DNAT -m comment --comment "stackd 34ab ingress forward" -j ACCEPT',
      '-A STACKD-34AB-INGRESS-FWD -i sdb34ab4097 -m conntrack --ctstate DNAT -m comment --comment "stackd 34ab ingress forward" -j ACCEPT',
      'COMMIT',
      '',
    ]);
  });

  it('no ports: the chains are emptied (rules of a removed service go)', () => {
    expect(ingressRules([], 'sdb34ab4097', names)).not.toContain('DNAT --to');
  });

  it('jumps are checked before they are inserted, so a restarted agent adds none twice', () => {
    const script = jumpScript(ingressJumps(names));
    expect(script).toContain(
      "iptables -t nat -C PREROUTING -m addrtype --dst-type LOCAL -m comment --comment 'stackd 34ab ingress' -j STACKD-34AB-INGRESS 2>/dev/null || iptables -t nat -I PREROUTING 1 -m addrtype",
    );
    expect(script).toContain("iptables -t nat -C OUTPUT '!' -d 127.0.0.0/8");
    expect(script.match(/ -C /g)).toHaveLength(4);
  });

  it("another cluster's chains and comments carry its own tag", () => {
    const other = clusterNames('cluster-b');
    expect(other.chains).toEqual({ ingress: 'STACKD-EBE9-INGRESS', snat: 'STACKD-EBE9-INGRESS-SNAT', fwd: 'STACKD-EBE9-INGRESS-FWD', dns: 'STACKD-EBE9-DNS' });
    const rules = ingressRules([], 'sdbebe915460608', other);
    expect(rules).not.toContain('34AB');
    expect(rules).toContain(
      '-A STACKD-EBE9-INGRESS-SNAT -o sdbebe915460608 -m conntrack --ctstate DNAT -m comment --comment "stackd ebe9 ingress snat" -j MASQUERADE',
    );
    expect(Object.values(other.chains).every((c) => c.length <= 28)).toBe(true);
  });
});
