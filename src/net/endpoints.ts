// Which tasks a service's traffic may go to, and the names containers resolve. Pure.
import type { Network, Service, Task } from '../api/objects.js';
import { inSubnet } from './ipam.js';
import { networkKeys } from './plan-alloc.js';

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

/** The services on `net` answering to `name` (service key, STACK_SERVICE or an alias on it). */
export function servicesNamed(name: string, net: Network, services: Service[]): Service[] {
  const n = name.toLowerCase();
  return services.filter((s) => {
    if (s.spec.stack !== net.spec.stack || !networkKeys(s.spec.template).includes(net.metadata.name)) return false;
    const aliases = s.spec.template.networks[net.metadata.name]?.aliases ?? [];
    return [s.metadata.name, `${s.spec.stack}_${s.metadata.name}`, ...aliases].some((a) => a.toLowerCase() === n);
  });
}

export interface Lookup {
  networks: Network[];
  services: Service[];
  tasks: Task[];
}

/** What a container at `client` gets for `name`: addresses (possibly none) when the name is a
 *  service it shares a network with, undefined when the name is not the cluster's to answer. */
export function resolveName(rawName: string, client: string, view: Lookup): string[] | undefined {
  const name = rawName.replace(/\.$/, '').toLowerCase();
  const clientTask = view.tasks.find((t) => Object.values(t.status?.addresses ?? {}).includes(client));
  const nets = view.networks.filter((n) => n.metadata.namespace !== '' && n.status?.subnet);
  const mine = clientTask
    ? nets.filter((n) => clientTask.status!.addresses![n.spec.name] !== undefined)
    : nets.filter((n) => inSubnet(n.status!.subnet!, client));
  const tasksOf = name.startsWith('tasks.');
  const target = tasksOf ? name.slice('tasks.'.length) : name;
  for (const net of mine) {
    const svc = servicesNamed(target, net, view.services)[0];
    if (!svc) continue;
    const vip = net.status?.vips?.[svc.metadata.name];
    if (!tasksOf && svc.spec.template.deploy.endpoint_mode === 'vip' && vip) return [vip];
    return taskAddresses(view.tasks, svc.spec.stack, svc.metadata.name, net.spec.name);
  }
  return undefined;
}
