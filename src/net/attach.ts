// Which services a network carries. A stack's own network carries the services of that stack that
// name it; a cluster network (`stackctl network create`, namespace '') carries the services of
// every stack whose file names it as `external: true`, so stacks share it. Pure.
import type { Network, Service, Stack, Task } from '../api/objects.js';
import type { ServiceSpec } from '../stackfile/types.js';

/** The stack-level network keys a service's tasks join ('default' when it names none). */
export function networkKeys(t: ServiceSpec): string[] {
  if (t.network_mode) return [];
  const keys = Object.keys(t.networks);
  return keys.length ? keys : ['default'];
}

/** Made with `stackctl network create` (or the ingress): not owned by a stack. */
export function isClusterScoped(net: Network): boolean {
  return net.metadata.namespace === '';
}

/** The stack-level key through which `svc` joins `net`, if it does. */
export function joiningKey(net: Network, svc: Service, stacks: Stack[]): string | undefined {
  const keys = networkKeys(svc.spec.template);
  if (!isClusterScoped(net)) return svc.spec.stack === net.spec.stack && keys.includes(net.metadata.name) ? net.metadata.name : undefined;
  const declared = stacks.find((s) => s.metadata.name === svc.spec.stack)?.spec.networks ?? {};
  return keys.find((k) => declared[k]?.external && declared[k].name === net.spec.name);
}

export function attachedServices(net: Network, services: Service[], stacks: Stack[]): Service[] {
  return services.filter((s) => joiningKey(net, s, stacks) !== undefined);
}

/** A service's key in the network's status.vips: its name on its own stack's network,
 *  STACK_SERVICE on a network that several stacks share. */
export function endpointKey(net: Network, stack: string, service: string): string {
  return isClusterScoped(net) ? `${stack}_${service}` : service;
}

/** Whether `t` is a task of the service that has `key` on `net` (endpointKey's inverse). */
export function taskOfKey(net: Network, key: string): (t: Task) => boolean {
  return (t) => endpointKey(net, t.spec.stack, t.spec.service) === key && (isClusterScoped(net) || t.spec.stack === net.spec.stack);
}
