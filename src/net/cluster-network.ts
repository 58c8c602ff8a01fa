// Networks made with `stackctl network create`: cluster-scoped (namespace ''), shared by every
// stack whose file names them `external: true`. What to write, what refuses it, who uses one. Pure.
import type { NewObject } from '../api/meta.js';
import type { Network, Stack } from '../api/objects.js';
import type { StackSpec } from '../stackfile/types.js';
import { firstOverlap, subnetProblem } from './ipam.js';
import { INGRESS } from './plan-alloc.js';

/** Docker's rule for network names, kept short enough for a Store key and a bridge label. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

export interface CreateFlags {
  driver: string;
  subnet?: string;
  attachable: boolean;
  internal: boolean;
  /** key=value */
  labels: string[];
}

/** The Network to create, or the problems (one line each) that refuse it. */
export function planNetworkCreate(name: string, flags: CreateFlags, existing: Network[]): { object: NewObject } | { problems: string[] } {
  const problems: string[] = [];
  if (!NAME.test(name)) problems.push(`network ${name}: invalid name: use letters, digits, "_", "." and "-" (at most 63), starting with a letter or digit`);
  else if (name === INGRESS.name || name.startsWith(INGRESS.engineName)) problems.push(`network ${name}: the name is the cluster's ingress network's`);
  else if (existing.some((n) => n.spec.name === name || (n.metadata.namespace === '' && n.metadata.name === name))) problems.push(`network ${name} already exists`);
  if (flags.driver !== 'overlay') problems.push(`network ${name}: --driver ${flags.driver}: a cluster network's driver is overlay`);
  if (flags.subnet !== undefined) {
    const other = subnetProblem(flags.subnet)
      ? undefined
      : firstOverlap(
          flags.subnet,
          existing.filter((n) => n.status?.subnet).map((n) => ({ name: n.spec.name, subnet: n.status!.subnet! })),
        );
    const p = subnetProblem(flags.subnet) ?? (other ? `subnet ${flags.subnet} overlaps network ${other}'s` : undefined);
    if (p) problems.push(`network ${name}: --subnet: ${p}`);
  }
  const labels: Record<string, string> = {};
  for (const l of flags.labels) {
    const eq = l.indexOf('=');
    if (eq <= 0) problems.push(`network ${name}: --label ${l}: expected key=value`);
    else labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  if (problems.length) return { problems };
  const spec = {
    name,
    stack: '',
    driver: 'overlay',
    driver_opts: {},
    external: false,
    attachable: flags.attachable,
    internal: flags.internal,
    labels,
    ...(flags.subnet ? { subnet: flags.subnet } : {}),
  };
  return { object: { kind: 'Network', metadata: { namespace: '', name }, spec } };
}

/** The stacks whose files name the network as external (it can't be removed while any does). */
export function stacksUsing(name: string, stacks: Stack[]): string[] {
  return stacks
    .filter((s) => Object.values(s.spec.networks).some((n) => n.external && n.name === name))
    .map((s) => s.metadata.name)
    .sort();
}

/** One line per external network of `stack` that the cluster lacks, at its place in the file.
 *  @param at "networks.KEY" → "file:line:col" */
export function missingExternalNetworks(stack: StackSpec, networks: Network[], at: Record<string, string> = {}): string[] {
  return Object.entries(stack.networks)
    .filter(([, n]) => n.external && !networks.some((c) => c.metadata.namespace === '' && c.spec.name === n.name))
    .map(
      ([key, n]) =>
        `${at[`networks.${key}`] ?? `networks.${key}`} networks.${key}.external: network ${n.name} does not exist in the cluster: create it first (stackctl network create ${n.name})`,
    );
}
