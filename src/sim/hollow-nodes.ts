// SIMULATION: many hollow nodes in one process. Each is the real agent (src/agent) over its own
// HollowRuntime; they share this process's Store client, as many kubemark hollow kubelets share a
// pod. Killing the process is the loss of all its nodes at once (their heartbeat leases lapse).
import { runAgent } from '../agent/agent.js';
// What an agent imports once registered, imported here up front: many agents in one process would
// otherwise import them at the same moment, which jest's ESM vm modules fail to link ("request for
// '../client/objects.js' is not in cache"), and the scale test runs hollow nodes inside jest.
import '../agent/gc.js';
import '../agent/status-writer.js';
import '../agent/task-controller.js';
import '../controller/controller.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { HollowRuntime, type HollowRuntimeOptions } from './hollow-runtime.js';

export interface HollowNodesOptions extends HollowRuntimeOptions {
  /** node names are prefix + index, index from `first` to first + count - 1 */
  prefix: string;
  first?: number;
  count: number;
  /** labels of node i (default: zone=z<i mod 4>, tier=a|b alternating): what constraints and
   *  spread preferences in scale runs read */
  labels?: (index: number) => Record<string, string>;
  heartbeatTtlSeconds?: number;
  log: Logger;
}

export const defaultHollowLabels = (i: number): Record<string, string> => ({ zone: `z${i % 4}`, tier: i % 2 === 0 ? 'a' : 'b' });

export interface HollowNodes {
  runtimes: HollowRuntime[];
  /** settles when every agent has stopped (after `signal` aborts) */
  done: Promise<void>;
}

export function startHollowNodes(store: Store, opts: HollowNodesOptions, signal: AbortSignal): HollowNodes {
  const first = opts.first ?? 0;
  const labels = opts.labels ?? defaultHollowLabels;
  const runtimes: HollowRuntime[] = [];
  const agents: Promise<void>[] = [];
  for (let i = first; i < first + opts.count; i++) {
    const nodeName = `${opts.prefix}${i}`;
    const runtime = new HollowRuntime(nodeName, opts);
    runtimes.push(runtime);
    const log = opts.log.child({ node: nodeName });
    agents.push(
      runAgent(store, { nodeName, runtime, labels: labels(i), heartbeatTtlSeconds: opts.heartbeatTtlSeconds, log }, signal).catch((err) => {
        log.error(`hollow agent ${nodeName} stopped: ${(err as Error).message}`);
      }),
    );
  }
  return { runtimes, done: Promise.all(agents).then(() => undefined) };
}

/** `count` nodes from index `first`, split into `groups` runs of consecutive indices (sizes
 *  differing by at most one). Pure. */
export function hollowGroups(first: number, count: number, groups: number): { first: number; count: number }[] {
  const n = Math.min(groups, Math.max(1, count));
  return Array.from({ length: n }, (_, g) => {
    const start = Math.floor((g * count) / n);
    return { first: first + start, count: Math.floor(((g + 1) * count) / n) - start };
  });
}
