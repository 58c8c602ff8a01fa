// Find objects by the names users type (stackctl, the web console): services as `stack_service`, like docker.
import type { Node, Service } from '../api/objects.js';
import { getObject } from '../client/objects.js';
import { CommandError } from '../errors.js';
import type { Store } from '../store/store.js';

export async function findService(store: Store, name: string): Promise<Service> {
  // stack and service names may both hold "_": try every split, most specific stack first
  for (let i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1)) {
    const svc = await getObject<Service>(store, 'Service', name.slice(0, i), name.slice(i + 1));
    if (svc) return svc;
  }
  throw new CommandError(`no such service: ${name} (services are named STACK_SERVICE; see "stackctl service ls")`);
}

export async function findNode(store: Store, name: string): Promise<Node> {
  const node = await getObject<Node>(store, 'Node', '', name);
  if (!node) throw new CommandError(`no such node: ${name} (see "stackctl node ls")`);
  return node;
}
