// The agent's garbage collector: containers whose task is no longer assigned here are stopped and
// removed (a stopped task's container is kept: its task is still assigned), and so are those of
// tasks the manager orphaned while this node was away, once the task controller stopped them; a stack's networks go
// when no task of that stack is left on the node. Named volumes stay, even once the stack is gone,
// as `docker stack rm` and `docker-compose down` keep them (`down --volumes` removes them itself:
// removeStackVolumes). Networks stackd did not create (external ones) carry no stackd label.
import type { Task } from '../api/objects.js';
import type { Informer } from '../controller/informer.js';
import type { DockerRuntime } from '../runtime/docker.js';
import { LABEL } from '../runtime/labels.js';
import { forgetEnsured } from './prepare.js';
import { removeTaskSecrets, secretsRoot } from './secret-files.js';
import type { Logger } from '../log.js';

export async function collectGarbage(runtime: DockerRuntime, nodeName: string, assignments: Informer<Task>, log: Logger): Promise<void> {
  // the engine first, then the assignments: a task assigned meanwhile is then seen as wanted (its
  // container can only exist if its assignment was in the cache before the engine was asked)
  const containers = await runtime.listManaged({ node: nodeName });
  const assigned = assignments.list();
  const orphaned = new Set(assigned.filter((t) => t.status?.state === 'orphaned').map((t) => t.metadata.name));
  const wantedTasks = new Set(assigned.map((t) => t.metadata.name).filter((name) => !orphaned.has(name)));
  const stacksHere = new Set(assigned.map((t) => t.spec.stack));

  // a running orphan is first stopped by the task controller, within its stop grace period
  const strays = containers.filter((c) => !wantedTasks.has(c.task.taskId) && !(orphaned.has(c.task.taskId) && c.state === 'running'));
  await Promise.all(
    strays.map(async (c) => {
      log.info(`removing container ${c.name}: its task is ${orphaned.has(c.task.taskId) ? 'orphaned' : `no longer assigned to ${nodeName}`}`);
      await runtime.stop(c.id);
      await runtime.remove(c.id);
    }),
  );
  // a task's secrets go with it (its container, if any, is gone by now)
  for (const task of await removeTaskSecrets(secretsRoot(nodeName), wantedTasks)) {
    log.info(`removed the secrets of task ${task}`);
  }
  const inUse = new Set(containers.filter((c) => wantedTasks.has(c.task.taskId)).map((c) => c.task.stack));

  const all = await runtime.listManagedResources();
  const mine = (r: { labels: Record<string, string> }) => r.labels[LABEL.node] === nodeName;
  const gone = (r: { labels: Record<string, string> }) => !stacksHere.has(r.labels[LABEL.stack]) && !inUse.has(r.labels[LABEL.stack]);
  // the ingress network (no stack) stays while the agent lives: the routing mesh needs it on every node
  const networks = all.networks.filter(mine).filter(gone).filter((r) => r.labels[LABEL.stack] !== '');
  // networks go below; a gone stack's volumes may go behind the agent's back (`down --volumes`)
  if (networks.length || all.volumes.filter(mine).some(gone)) forgetEnsured(runtime.endpoint);
  for (const net of networks) {
    await runtime.removeNetwork(net.name).catch((err) => log.warn(`network ${net.name}: ${(err as Error).message}`));
  }
}
