// Which tasks a service's traffic may go to, and the names containers resolve. Pure.
import type { Network, Service, Stack, Task } from '../api/objects.js';
import { endpointKey, isClusterScoped, joiningKey, taskOfKey } from './attach.js';
import { inSubnet } from './ipam.js';

/** Running, wanted running, not unhealthy: a task leaves the endpoints as soon as the manager
 *  wants it stopped (before its container stops) or the agent reports it failing. */
export function isEndpoint(t: Task): boolean {
  return t.spec.desiredState === 'running' && t.status?.state === 'running' && t.status.health !== 'unhealthy';
}

/** The addresses of a service's ready tasks on one engine network, sorted. */
export function taskAddresses(tasks: Task[], stack: string, service: string, engineNetwork: string): string[] {
  return tasks
    .filter((t) => t.spec.stack === stack && t.spec.service === service && isEndpoint(t))
    .map((t) => t.status?.addresses?.[engineNetwork])
    .filter((ip): ip is string => ip !== undefined)
    .sort();
}

/** The addresses of the ready tasks behind endpoint `key` (endpointKey) of `net`, sorted. */
export function endpointAddresses(net: Network, key: string, tasks: Task[]): string[] {
  return tasks
    .filter((t) => taskOfKey(net, key)(t) && isEndpoint(t))
    .map((t) => t.status?.addresses?.[net.spec.name])
    .filter((ip): ip is string => ip !== undefined)
    .sort();
}

/** The services on `net` answering to `name` (service key, STACK_SERVICE or an alias on it);
 *  on a network stacks share, those of the asking stack first. */
export function servicesNamed(name: string, net: Network, services: Service[], stacks: Stack[] = [], clientStack?: string): Service[] {
  const n = name.toLowerCase();
  const found = services.filter((s) => {
    const key = joiningKey(net, s, stacks);
    if (key === undefined) return false;
    const aliases = s.spec.template.networks[key]?.aliases ?? [];
    return [s.metadata.name, `${s.spec.stack}_${s.metadata.name}`, ...aliases].some((a) => a.toLowerCase() === n);
  });
  return found.sort((a, b) => Number(b.spec.stack === clientStack) - Number(a.spec.stack === clientStack));
}

export interface Lookup {
  networks: Network[];
  services: Service[];
  tasks: Task[];
  /** to know which stacks share a cluster network (external in their files) */
  stacks?: Stack[];
}

/** What a container at `client` gets for `name`: addresses (possibly none) when the name is a
 *  service it shares a network with, undefined when the name is not the cluster's to answer. */
export function resolveName(rawName: string, client: string, view: Lookup): string[] | undefined {
  const name = rawName.replace(/\.$/, '').toLowerCase();
  const clientTask = view.tasks.find((t) => Object.values(t.status?.addresses ?? {}).includes(client));
  // the ingress network carries no names; a stack's own networks answer before shared ones
  const nets = view.networks.filter((n) => !(isClusterScoped(n) && n.metadata.name === 'ingress') && n.status?.subnet);
  const mine = (
    clientTask ? nets.filter((n) => clientTask.status!.addresses![n.spec.name] !== undefined) : nets.filter((n) => inSubnet(n.status!.subnet!, client))
  ).sort((a, b) => Number(isClusterScoped(a)) - Number(isClusterScoped(b)));
  const tasksOf = name.startsWith('tasks.');
  const target = tasksOf ? name.slice('tasks.'.length) : name;
  for (const net of mine) {
    const svc = servicesNamed(target, net, view.services, view.stacks, clientTask?.spec.stack)[0];
    if (!svc) continue;
    const key = endpointKey(net, svc.spec.stack, svc.metadata.name);
    const vip = net.status?.vips?.[key];
    if (!tasksOf && svc.spec.template.deploy.endpoint_mode === 'vip' && vip) return [vip];
    return endpointAddresses(net, key, view.tasks);
  }
  return undefined;
}
