// Shared by the rollout tests: stack files, and the Store read directly (a user's `ps`, sampled
// often enough to see what a rollout does between two CLI calls).
import type { Service, Task } from '../../../src/api/objects.js';
import { getObject, listObjects } from '../../../src/client/objects.js';
import type { Store } from '../../../src/store/store.js';
import { docker, SingleNode } from '../../helpers/stackd.js';
import { openStore } from '../../../src/store/open.js';

export const V1 = 'stackd/busybox:latest';
export const V2 = 'stackd/busybox:rollout-v2';
export const V3 = 'stackd/busybox:rollout-v3';

/** More names for the one local image: each name is another revision of the task template. */
export async function tagImages(): Promise<void> {
  await docker('tag', V1, V2);
  await docker('tag', V1, V3);
}

/** A stack file with one service `app`: a workload that exits at once on SIGTERM (init + sleep). */
export function appStack(image: string, deploy: string, extra = ''): string {
  return `services:
  app:
    image: ${image}
    init: true
    command: ["sleep", "3600"]
    stop_grace_period: 1s
${extra.replace(/^/gm, '    ')}
    deploy:
${deploy.replace(/^/gm, '      ')}
`;
}

export async function serviceOf(store: Store, stack: string, name = 'app'): Promise<Service> {
  const svc = await getObject<Service>(store, 'Service', stack, name);
  if (!svc) throw new Error(`no service ${stack}_${name} in the store`);
  return svc;
}

export async function tasksOf(store: Store, stack: string, service = 'app'): Promise<Task[]> {
  return (await listObjects<Task>(store, 'Task', stack)).items.filter((t) => t.spec.service === service);
}

/** Tasks the manager wants running and the agent reports running. */
export const running = (tasks: Task[]) => tasks.filter((t) => t.spec.desiredState === 'running' && t.status?.state === 'running');

/** The images of the running tasks, sorted. */
export const runningImages = (tasks: Task[]) =>
  running(tasks)
    .map((t) => t.spec.template.image)
    .sort();

/**
 * Calls `look` with the service's tasks every `intervalMs` (one consistent read of the Store each
 * time) until `stop()`, which resolves to the number of samples taken and rethrows what `look` threw.
 */
export function sampleTasks(store: Store, stack: string, look: (tasks: Task[]) => void, intervalMs = 100): { stop(): Promise<number> } {
  let stopped = false;
  let failure: unknown;
  let samples = 0;
  const loop = (async () => {
    while (!stopped && failure === undefined) {
      try {
        look(await tasksOf(store, stack));
        samples++;
      } catch (err) {
        failure = err;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      if (failure !== undefined) throw failure;
      return samples;
    },
  };
}

/** A rollout test file's one node (images tagged) and a Store client on it, started before its tests. */
export function useRolloutNode(prefix: string): { node: SingleNode; store: Store } {
  const rig = { node: new SingleNode(prefix) } as { node: SingleNode; store: Store };
  beforeAll(async () => {
    await tagImages();
    await rig.node.start();
    rig.store = await openStore(rig.node.storeUrl);
  });
  afterAll(async () => {
    await rig.store?.close();
    await rig.node.cleanup();
  });
  return rig;
}
