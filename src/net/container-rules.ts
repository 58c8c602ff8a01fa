// Each local container's VIP rules (vip-rules.ts), written into its own network namespace when
// they differ from what was last written there. A container seen for the first time (or by a
// restarted agent) gets its rules written again: iptables-restore replaces the chain atomically,
// and established connections keep their conntrack entries whatever the rules become.
import type { Network, Task } from '../api/objects.js';
import type { DockerRuntime } from '../runtime/docker.js';
import { runIn } from './host.js';
import { VIP_CHAIN, vipRules, vipTargets } from './vip-rules.js';

export interface ContainerNet {
  pid: number;
  /** engine network names it is on */
  networks: string[];
  /** the rules last written into it (the jumps to them are there once any were) */
  rules?: string;
}

const jump = (table: string) => `{ iptables -t ${table} -C OUTPUT -j ${VIP_CHAIN} 2>/dev/null || iptables -t ${table} -A OUTPUT -j ${VIP_CHAIN}; }`;
const JUMP = `${jump('nat')} && ${jump('filter')}`;

export async function applyContainerRules(
  runtime: DockerRuntime,
  nodeName: string,
  known: Map<string, ContainerNet>,
  networks: Network[],
  tasks: Task[],
  tag: string,
): Promise<void> {
  const running = (await runtime.listManaged({ node: nodeName })).filter((c) => c.state === 'running');
  const ids = new Set(running.map((c) => c.id));
  for (const id of known.keys()) if (!ids.has(id)) known.delete(id);
  const clusterNames = new Set(networks.map((n) => n.spec.name));
  const errors: string[] = [];
  await Promise.all(
    running.map(async (c) => {
      let entry = known.get(c.id);
      if (!entry) {
        const info = await runtime.inspect(c.id);
        if (!info?.pid) return;
        entry = { pid: info.pid, networks: Object.keys(info.addresses ?? {}).filter((n) => clusterNames.has(n)) };
        known.set(c.id, entry);
      }
      if (entry.networks.length === 0) return;
      const rules = vipRules(vipTargets(entry.networks, networks, tasks), tag);
      if (rules === entry.rules) return;
      try {
        // two processes fewer on later writes: the removal of a dead task waits on this
        const argv = entry.rules === undefined ? ['sh', '-c', `iptables-restore --noflush && { ${JUMP}; }`] : ['iptables-restore', '--noflush'];
        await runIn(`/proc/${entry.pid}/ns/net`, argv, rules);
        entry.rules = rules;
      } catch (err) {
        // the container may have just exited; it is forgotten with the next listing
        if (ids.has(c.id)) errors.push(`${c.name}: ${(err as Error).message}`);
      }
    }),
  );
  if (errors.length) throw new Error(`VIP rules: ${errors.join('; ')}`);
}
