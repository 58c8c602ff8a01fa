// The resources of group stackd.io/v1: how their URL names map to the Store's kinds. Pure.
import type { Kind } from '../api/meta.js';
import { isClusterScoped, pluralOf } from '../api/keys.js';

export const GROUP = 'stackd.io';
export const VERSION = 'v1';
export const GROUP_VERSION = `${GROUP}/${VERSION}`;

export interface ApiResource {
  kind: Kind;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  /** subresources served (`services/scale`, `tasks/status`, ...) */
  subresources: Array<'status' | 'scale'>;
}

// GitOpsSecret is write-only (authz.ts): admins create, replace and delete credentials through the
// API, and only the GitOps controller (next to the Store) ever reads them.
const SERVED: Array<[Kind, string[], ApiResource['subresources']]> = [
  ['Stack', ['stk'], ['status']],
  ['Service', ['svc-stackd'], ['status', 'scale']],
  ['Task', [], ['status']],
  ['Node', [], ['status']],
  ['Config', [], []],
  ['Secret', [], []],
  ['Network', [], ['status']],
  ['Volume', [], []],
  ['GitSource', ['gs'], ['status']],
  ['GitOpsSecret', [], []],
];

export const RESOURCES: ApiResource[] = SERVED.map(([kind, shortNames, subresources]) => ({
  kind,
  plural: pluralOf(kind),
  singular: kind.toLowerCase(),
  namespaced: !isClusterScoped(kind),
  shortNames,
  subresources,
}));

const BY_PLURAL = new Map(RESOURCES.map((r) => [r.plural, r]));

export function resourceByPlural(plural: string): ApiResource | undefined {
  return BY_PLURAL.get(plural);
}

/** What a request names: /apis/stackd.io/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]]. */
export interface ResourcePath {
  resource: ApiResource;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function parseResourcePath(path: string): ResourcePath | undefined {
  const prefix = `/apis/${GROUP_VERSION}/`;
  if (!path.startsWith(prefix)) return undefined;
  let parts = path
    .slice(prefix.length)
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  const resource = resourceByPlural(parts[0] ?? '');
  if (!resource || parts.length > 3) return undefined;
  if (namespace !== undefined && !resource.namespaced) return undefined;
  return { resource, namespace, name: parts[1], subresource: parts[2] };
}
