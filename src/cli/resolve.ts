// Find objects by the names users type: services as `stack_service`, like docker.
import type { Node, Service, Stack, Task } from '../api/objects.js';
import { getObject, listObjects } from '../client/objects.js';
import type { Store } from '../store/store.js';
import { CommandError } from '../errors.js';

export async function findService(store: Store, name: string): Promise<Service> {
  // stack and service names may both hold "_": try every split, most specific stack first
  for (let i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1)) {
    const svc = await getObject<Service>(store, 'Service', name.slice(0, i), name.slice(i + 1));
    if (svc) return svc;
  }
  throw new CommandError(`no such service: ${name} (services are named STACK_SERVICE; see "stackctl service ls")`);
}

export async function findStack(store: Store, name: string): Promise<Stack> {
  const stack = await getObject<Stack>(store, 'Stack', '', name);
  if (!stack) throw new CommandError(`nothing found in stack: ${name}`);
  return stack;
}

export async function findNode(store: Store, name: string): Promise<Node> {
  const node = await getObject<Node>(store, 'Node', '', name);
  if (!node) throw new CommandError(`no such node: ${name} (see "stackctl node ls")`);
  return node;
}

export async function tasksOf(store: Store, stack: string, service?: string): Promise<Task[]> {
  const { items } = await listObjects<Task>(store, 'Task', stack);
  return service ? items.filter((t) => t.spec.service === service) : items;
}
