// Which API resource a Store key names, for the adapter (api-store.ts): objects and the prefixes
// of a kind (stackctl's reads), events, an agent's heartbeat, assignments and the cluster's id. Pure.
import { CLUSTER_ID_KEY, HEARTBEAT_PREFIX, isClusterScoped, ROOT } from '../api/keys.js';
import type { Kind } from '../api/meta.js';
import { RESOURCES } from '../apiserver/resources.js';
import { CLUSTER_SEGMENT, EVENT_PREFIX } from '../events/event.js';

export type KeyTarget =
  | { type: 'object'; kind: Kind; plural: string; namespace?: string; name: string }
  | { type: 'lease'; node: string }
  | { type: 'cluster-id' }
  /** the prefix of a node's assignments: its tasks, by field selector spec.nodeName */
  | { type: 'assignments'; node: string }
  /** every object of a kind, or of a kind in one namespace (a stack) */
  | { type: 'kind'; kind: Kind; plural: string; namespace?: string }
  /** events (stackctl events, service inspect, rollout status): all, or one namespace's
   *  ('' : cluster-scoped objects'); a name for one event */
  | { type: 'events'; namespace?: string; name?: string };

const ASSIGNMENTS = `${ROOT}assignments/`;
const BY_PLURAL = new Map(RESOURCES.map((r) => [r.plural, r.kind]));

export function keyTarget(key: string): KeyTarget | undefined {
  if (key === CLUSTER_ID_KEY) return { type: 'cluster-id' };
  if (key.startsWith(HEARTBEAT_PREFIX)) return { type: 'lease', node: key.slice(HEARTBEAT_PREFIX.length) };
  if (key.startsWith(ASSIGNMENTS)) {
    const [node, ...rest] = key.slice(ASSIGNMENTS.length).split('/');
    // a prefix (node/) only: single assignment keys are never read by the agent
    return node && rest.join('') === '' ? { type: 'assignments', node } : undefined;
  }
  if (key.startsWith(EVENT_PREFIX)) {
    const [segment, name, ...rest] = key.slice(EVENT_PREFIX.length).split('/');
    if (segment === '' && name === undefined) return { type: 'events' };
    if (!segment || name === undefined || rest.length > 0) return undefined;
    const namespace = segment === CLUSTER_SEGMENT ? '' : segment;
    return name === '' ? { type: 'events', namespace } : { type: 'events', namespace, name };
  }
  if (!key.startsWith(ROOT)) return undefined;
  const [plural, ...parts] = key.slice(ROOT.length).split('/');
  const kind = BY_PLURAL.get(plural);
  if (!kind) return undefined;
  if (parts.length === 1 && parts[0] === '') return { type: 'kind', kind, plural };
  if (isClusterScoped(kind)) return parts.length === 1 && parts[0] ? { type: 'object', kind, plural, name: parts[0] } : undefined;
  // cluster networks have the empty namespace (/stackd/networks//NAME): the API names them without one
  const clusterWide = kind === 'Network' && parts[0] === '';
  if (parts.length === 2 && (parts[0] || clusterWide) && parts[1] === '') return { type: 'kind', kind, plural, namespace: parts[0] };
  return parts.length === 2 && (parts[0] || clusterWide) && parts[1] ? { type: 'object', kind, plural, namespace: parts[0], name: parts[1] } : undefined;
}

/** The error for a key the API does not serve to agents (a bug in the caller, not bad input). */
export function unmapped(what: string, key: string): Error {
  return new Error(`${what} ${key}: not served through the API (use --store next to etcd, or kubectl)`);
}
