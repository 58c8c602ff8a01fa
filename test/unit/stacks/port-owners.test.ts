// Published ports across stacks (pure; in-memory objects).
import type { NewObject } from '../../../src/api/meta.js';
import type { Service } from '../../../src/api/objects.js';
import { portConflicts } from '../../../src/stacks/port-owners.js';
import type { PortSpec } from '../../../src/stackfile/types.js';

const port = (published: number, mode: 'ingress' | 'host' = 'ingress', protocol: 'tcp' | 'udp' = 'tcp'): PortSpec => ({ target: 80, published, protocol, mode });
const stored = (stack: string, name: string, ports: PortSpec[]): Service =>
  ({ kind: 'Service', metadata: { name, namespace: stack }, spec: { stack, template: { ports } } }) as unknown as Service;
const desired = (name: string, ports: PortSpec[]): NewObject => ({ kind: 'Service', metadata: { name, namespace: 'b' }, spec: { stack: 'b', template: { ports } } });

describe('portConflicts', () => {
  const owner = [stored('a', 'web', [port(8080), port(9000, 'host')])];

  it('an ingress port another stack publishes is refused, naming that stack and service', () => {
    expect(portConflicts('b', [desired('front', [port(8080)])], owner)).toEqual([
      'stack b: service front publishes port 8080/tcp (ingress), which stack a already owns (service a_web, ingress); pick another published port or remove that stack first',
    ]);
  });

  it('ingress against host clashes either way; host against host does not (per node: the scheduler)', () => {
    expect(portConflicts('b', [desired('x', [port(8080, 'host')])], owner)).toHaveLength(1);
    expect(portConflicts('b', [desired('x', [port(9000)])], owner)).toHaveLength(1);
    expect(portConflicts('b', [desired('x', [port(9000, 'host')])], owner)).toEqual([]);
  });

  it('other protocol, other port, unpublished ports and the stack itself (a redeploy) are fine', () => {
    expect(portConflicts('b', [desired('x', [port(8080, 'ingress', 'udp'), port(8081), { target: 8080, protocol: 'tcp', mode: 'ingress' }])], owner)).toEqual([]);
    expect(portConflicts('a', [{ ...desired('web', [port(8080)]), metadata: { name: 'web', namespace: 'a' } }], owner)).toEqual([]);
  });
});
