// The agent's garbage collector: containers whose task is no longer assigned here are stopped and
// removed (a stopped task's container is kept: its task is still assigned), and so are those of
// tasks the manager orphaned while this node was away, once the task controller stopped them; a
// stack's networks go when no task of that stack is left on the node. Named volumes stay, even once
// the stack is gone, as `docker stack rm` and `docker-compose down` keep them (`down --volumes`
// removes them itself: removeStackVolumes). What is this agent's to collect: gc-plan.ts.
//
// Never from a stale view: it removes only on a fresh read of the store (not the watch cache), made
// after listing the engine, and only while this agent holds its node's heartbeat. With the store
// unreachable or the heartbeat lost, it collects nothing (the controller retries with backoff).
// Most rounds find nothing to collect; the watch cache says so without a read (a stale cache can
// only send a round to the read, or leave a collection to the next round).
import { assignmentPrefix, heartbeatKey } from '../api/keys.js';
import type { Task } from '../api/objects.js';
import { decodeObject } from '../client/codec.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../log.js';
import { isEmpty, planGarbage, type LegacyAdoptions } from './gc-plan.js';
import { forgetEnsured } from './prepare.js';
import { removeTaskSecrets, secretsRoot, straySecrets } from './secret-files.js';

export interface GcContext {
  store: Store;
  runtime: ContainerRuntime;
  nodeName: string;
  clusterId: string;
  /** the tasks assigned to this node in the agent's watch cache */
  cached: () => Task[];
  /** the lease of this agent's live heartbeat; undefined while it is lost */
  heartbeatLease: () => string | undefined;
  legacy: LegacyAdoptions;
  log: Logger;
}

export class NotCollectingError extends Error {
  override name = 'NotCollectingError';
}

export async function collectGarbage(ctx: GcContext): Promise<void> {
  const { runtime, store, nodeName, log } = ctx;
  const lease = ctx.heartbeatLease();
  if (lease === undefined) throw new NotCollectingError('not collecting: no live heartbeat (lease lost or not yet renewed)');
  // the engine first, then the assignments: a container can only exist if its assignment was in
  // the store before the engine was asked
  const [containers, resources] = await Promise.all([runtime.listManaged({ node: nodeName }), runtime.listManagedResources()]);
  const root = secretsRoot(nodeName, ctx.clusterId);
  const hinted = planGarbage(ctx.clusterId, nodeName, containers, resources.networks, resources.volumes, ctx.cached(), ctx.legacy);
  if (isEmpty(hinted) && (await straySecrets(root, hinted.wantedTasks)).length === 0) return;
  let assigned: Task[];
  try {
    const [beat, list] = await Promise.all([store.get(heartbeatKey(nodeName)), store.list(assignmentPrefix(nodeName))]);
    if (beat?.lease !== lease) throw new Error(`the heartbeat of node ${nodeName} is not this agent's`);
    assigned = list.items.map((kv) => decodeObject<Task>(kv));
  } catch (err) {
    throw new NotCollectingError(`not collecting: ${(err as Error).message}`);
  }
  const plan = planGarbage(ctx.clusterId, nodeName, containers, resources.networks, resources.volumes, assigned, ctx.legacy);

  await Promise.all(
    plan.containers.map(async ({ container: c, why }) => {
      log.info(`removing container ${c.name}: its task is ${why}`);
      await runtime.stop(c.id);
      await runtime.remove(c.id);
    }),
  );
  // a task's secrets go with it (its container, if any, is gone by now)
  for (const task of await removeTaskSecrets(root, plan.wantedTasks)) {
    log.info(`removed the secrets of task ${task}`);
  }
  // networks go below; a gone stack's volumes may go behind the agent's back (`down --volumes`)
  if (plan.volumesMayBeGone) forgetEnsured(runtime.endpoint);
  for (const net of plan.networks) {
    await runtime.removeNetwork(net).catch((err) => log.warn(`network ${net}: ${(err as Error).message}`));
  }
}
