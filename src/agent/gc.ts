// The agent's garbage collector: containers whose task is no longer assigned here are stopped and
// removed; a stack's networks go when no task of that stack is left on the node, its named
// volumes once the stack itself is gone. Networks and volumes stackd did not create (external
// ones) carry no stackd label and are never touched.
import type { Task } from '../api/objects.js';
import { getObject } from '../client/objects.js';
import type { Informer } from '../controller/informer.js';
import type { DockerRuntime } from '../runtime/docker.js';
import { LABEL } from '../runtime/labels.js';
import { forgetEnsured } from './prepare.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../log.js';

export async function collectGarbage(store: Store, runtime: DockerRuntime, nodeName: string, assignments: Informer<Task>, log: Logger): Promise<void> {
  // the engine first, then the assignments: a task assigned meanwhile is then seen as wanted (its
  // container can only exist if its assignment was in the cache before the engine was asked)
  const containers = await runtime.listManaged({ node: nodeName });
  const assigned = assignments.list();
  const wantedTasks = new Set(assigned.map((t) => t.metadata.name));
  const stacksHere = new Set(assigned.map((t) => t.spec.stack));

  const strays = containers.filter((c) => !wantedTasks.has(c.task.taskId));
  await Promise.all(
    strays.map(async (c) => {
      log.info(`removing container ${c.name}: its task is no longer assigned to ${nodeName}`);
      await runtime.stop(c.id);
      await runtime.remove(c.id);
    }),
  );
  const inUse = new Set(containers.filter((c) => wantedTasks.has(c.task.taskId)).map((c) => c.task.stack));

  const all = await runtime.listManagedResources();
  const mine = (r: { labels: Record<string, string> }) => r.labels[LABEL.node] === nodeName;
  const [networks, volumes] = [all.networks.filter(mine), all.volumes.filter(mine)];
  if (networks.length || volumes.length) forgetEnsured(runtime.endpoint); // some may go below
  for (const net of networks) {
    const stack = net.labels[LABEL.stack];
    if (stacksHere.has(stack) || inUse.has(stack)) continue;
    await runtime.removeNetwork(net.name).catch((err) => log.warn(`network ${net.name}: ${(err as Error).message}`));
  }
  for (const vol of volumes) {
    const stack = vol.labels[LABEL.stack];
    if (stacksHere.has(stack) || inUse.has(stack)) continue;
    if (await getObject(store, 'Stack', '', stack)) continue; // data outlives a scale to zero, not the stack
    await runtime.removeVolume(vol.name).catch((err) => log.warn(`volume ${vol.name}: ${(err as Error).message}`));
  }
}
