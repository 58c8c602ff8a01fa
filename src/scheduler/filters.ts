// The scheduler's filters, in the order they run. Each says why a node fails, and how to word
// the fragment of the "no suitable node (...)" reason for the nodes it eliminated.
import type { Task } from '../api/objects.js';
import { matchesConstraint, type Constraint } from './constraints.js';
import { hostPorts, portsClash, serviceKey, toNano, type NodeInfo } from './node-info.js';

export interface Filter {
  /** undefined when the node passes; otherwise a short label of why not (grouped in the reason) */
  check(info: NodeInfo): string | undefined;
  /** the reason fragment for `count` nodes failing with `why`, out of `considered` */
  fragment(why: string, count: number, considered: number): string;
}

const nodes = (n: number) => `${n} node${n === 1 ? '' : 's'}`;
const counted: Filter['fragment'] = (why, count) => `${nodes(count)} ${why}`;
const onNodes: Filter['fragment'] = (why, count) => `${why} on ${nodes(count)}`;

function mib(bytes: number): string {
  return bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0 ? `${bytes / 1024 ** 3}GiB` : `${Math.round((bytes / 1024 ** 2) * 10) / 10}MiB`;
}

/** The filters for one task, given its parsed constraints. */
export function filtersFor(task: Task, constraints: Constraint[]): Filter[] {
  const deploy = task.spec.template.deploy;
  const wantCpus = toNano(deploy.resources.reservations.cpus);
  const wantMemory = deploy.resources.reservations.memory ?? 0;
  const maxPerNode = deploy.placement.max_replicas_per_node ?? 0;
  const filters: Filter[] = [
    { check: (i) => (i.node.status?.state === 'ready' ? undefined : 'not ready'), fragment: counted },
    {
      check: (i) => (i.node.spec.availability === 'pause' ? 'paused' : i.node.spec.availability === 'drain' ? 'drained' : undefined),
      fragment: counted,
    },
    ...constraints.map(
      (c): Filter => ({
        check: (i) => (matchesConstraint(c, i.node) ? undefined : c.text),
        fragment: (_why, count, considered) => `constraint ${c.text}: ${considered - count}/${nodes(considered)}`,
      }),
    ),
  ];
  if (wantCpus > 0) {
    filters.push({
      check: (i) => (toNano(i.node.status?.cpus) - i.nanoCpus >= wantCpus ? undefined : `insufficient cpus (${wantCpus / 1e9} reserved)`),
      fragment: onNodes,
    });
  }
  if (wantMemory > 0) {
    filters.push({
      check: (i) => ((i.node.status?.memoryBytes ?? 0) - i.memory >= wantMemory ? undefined : `insufficient memory (${mib(wantMemory)} reserved)`),
      fragment: onNodes,
    });
  }
  if (maxPerNode > 0) {
    filters.push({
      check: (i) => ((i.byService.get(serviceKey(task)) ?? 0) < maxPerNode ? undefined : `max_replicas_per_node ${maxPerNode} reached`),
      fragment: onNodes,
    });
  }
  if (task.spec.template.ports.some((p) => p.published !== undefined)) {
    filters.push({
      check: (i) => {
        const ports = hostPorts(task, i.node);
        const clash = ports.find((p) => i.ports.some((q) => portsClash(p, q)));
        return clash ? `port ${clash.key} in use` : undefined;
      },
      fragment: onNodes,
    });
  }
  return filters;
}

/**
 * Run the filters. Returns the nodes that pass, or, when none does, the reason: the fragment of
 * the filter that eliminated the last nodes first, then the others in filter order.
 */
export function applyFilters(candidates: NodeInfo[], filters: Filter[]): { passed: NodeInfo[]; reason?: string } {
  const fragments: string[] = [];
  let decisive: string | undefined;
  let left = candidates;
  for (const filter of filters) {
    const failures = new Map<string, number>();
    const passed = left.filter((info) => {
      const why = filter.check(info);
      if (why !== undefined) failures.set(why, (failures.get(why) ?? 0) + 1);
      return why === undefined;
    });
    const parts = [...failures].map(([why, count]) => filter.fragment(why, count, left.length));
    if (passed.length === 0 && left.length > 0) decisive = parts.join('; ');
    else fragments.push(...parts);
    left = passed;
    if (left.length === 0) break;
  }
  if (left.length > 0) return { passed: left };
  const all = decisive ? [decisive, ...fragments] : candidates.length === 0 ? ['no nodes'] : fragments;
  return { passed: [], reason: `no suitable node (${all.join('; ')})` };
}
