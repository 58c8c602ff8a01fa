// Find objects by the names users type: services as `stack_service`, like docker.
import type { Stack, Task } from '../api/objects.js';
import { getObject, listObjects } from '../client/objects.js';
import type { Store } from '../store/store.js';
import { CommandError } from '../errors.js';

export async function findStack(store: Store, name: string): Promise<Stack> {
  const stack = await getObject<Stack>(store, 'Stack', '', name);
  if (!stack) throw new CommandError(`nothing found in stack: ${name}`);
  return stack;
}

export { findNode, findService } from '../actions/find.js';

export async function tasksOf(store: Store, stack: string, service?: string): Promise<Task[]> {
  const { items } = await listObjects<Task>(store, 'Task', stack);
  return service ? items.filter((t) => t.spec.service === service) : items;
}
