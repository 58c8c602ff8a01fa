// `down --volumes` (Compose) on one engine: the named volumes stackd created for a stack. The agent
// never removes them on its own (`docker stack rm` and `docker-compose down` keep data); external
// volumes carry no stackd label and are never listed here, and neither are another cluster's (a
// shared engine) nor those made before cluster ids (no cluster label: they cannot be told from
// another cluster's; `docker volume rm` them).
import { LABEL } from './labels.js';
import type { DockerRuntime } from './docker.js';

/**
 * Removes every volume labelled io.stackd.stack=`stack` and io.stackd.cluster=`clusterId` on this
 * engine (every node's, when several agents share it); returns the names removed. Tries them all, then throws one error naming each
 * volume that could not go (typically still used by a container: remove the containers first).
 */
export async function removeStackVolumes(runtime: DockerRuntime, stack: string, clusterId: string): Promise<string[]> {
  const volumes = (await runtime.listManagedResources(stack)).volumes.filter((v) => v.labels[LABEL.cluster] === clusterId);
  const outcomes = await Promise.allSettled(volumes.map(async (v) => ((await runtime.removeVolume(v.name)) ? v.name : undefined)));
  const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`volume ${volumes[i].name}: ${(o.reason as Error).message}`] : []));
  if (failed.length > 0) throw new Error(failed.join('; '));
  return outcomes.flatMap((o) => (o.status === 'fulfilled' && o.value ? [o.value] : [])).sort();
}
