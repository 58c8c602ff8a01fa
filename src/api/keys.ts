// The key layout in the Store. Stack-owned objects are namespaced by their stack:
//   /stackd/<plural>/<namespace>/<name>      e.g. /stackd/services/accounts/web
// cluster-scoped kinds have no namespace segment:
//   /stackd/<plural>/<name>                  e.g. /stackd/stacks/accounts, /stackd/nodes/node-1
import type { Kind } from './meta.js';

export const ROOT = '/stackd/';

const PLURALS: Record<Kind, string> = {
  Stack: 'stacks',
  Service: 'services',
  Task: 'tasks',
  Node: 'nodes',
  Config: 'configs',
  Secret: 'secrets',
  Network: 'networks',
  Volume: 'volumes',
  GitSource: 'gitsources',
  GitOpsSecret: 'gitopssecrets',
};

const CLUSTER_SCOPED: ReadonlySet<Kind> = new Set<Kind>(['Stack', 'Node', 'GitSource', 'GitOpsSecret']);

export function isClusterScoped(kind: Kind): boolean {
  return CLUSTER_SCOPED.has(kind);
}

export function pluralOf(kind: Kind): string {
  return PLURALS[kind];
}

export function objectKey(kind: Kind, namespace: string, name: string): string {
  return isClusterScoped(kind) ? `${ROOT}${PLURALS[kind]}/${name}` : `${ROOT}${PLURALS[kind]}/${namespace}/${name}`;
}

/** Prefix of every object of a kind, or of a kind within one namespace. */
export function kindPrefix(kind: Kind, namespace?: string): string {
  if (isClusterScoped(kind) || namespace === undefined) return `${ROOT}${PLURALS[kind]}/`;
  return `${ROOT}${PLURALS[kind]}/${namespace}/`;
}

// Non-object keys.
// The manager's copy of each assigned task, so an agent watches only its own node's tasks:
//   /stackd/assignments/<node>/<stack>/<task>
export function assignmentPrefix(node: string): string {
  return `${ROOT}assignments/${node}/`;
}
export function assignmentKey(node: string, namespace: string, name: string): string {
  return `${assignmentPrefix(node)}${namespace}/${name}`;
}
// A node's heartbeat: a key attached to the agent's lease; it vanishes when the agent stops.
//   /stackd/heartbeats/<node>
export const HEARTBEAT_PREFIX = `${ROOT}heartbeats/`;
export function heartbeatKey(node: string): string {
  return `${HEARTBEAT_PREFIX}${node}`;
}
export const MANAGER_ELECTION = 'stackd-manager';
// Each running manager's presence (manager/presence.ts), on its own lease.
//   /stackd/managers/<identity>
export const MANAGER_PREFIX = `${ROOT}managers/`;
// Kinds whose spec is encrypted at rest (--encryption-key-file): stack secrets, GitOps credentials.
export const SEALED_PREFIXES = [kindPrefix('Secret'), kindPrefix('GitOpsSecret')];
// Present once any secret was written encrypted: a process without the key then refuses to write
// one in the clear.
export const ENCRYPTION_MARKER_KEY = `${ROOT}encryption`;
// The cluster's identity, created once with the store (create-if-absent): stamped on every engine
// object stackd makes, so agents of two clusters sharing one engine collect only their own.
export const CLUSTER_ID_KEY = `${ROOT}cluster/id`;
// The cluster's default address pool (`stackd manager --default-addr-pool`), recorded by the first
// manager given one (create-if-absent), as Swarm records `swarm init --default-addr-pool`.
export const ADDR_POOL_KEY = `${ROOT}cluster/default-addr-pool`;
// The API server's identities (bearer tokens, kept as sha256 hashes): /stackd/apitokens/<id>
export const API_TOKEN_PREFIX = `${ROOT}apitokens/`;
export const apiTokenKey = (id: string) => `${API_TOKEN_PREFIX}${id}`;
// What a client needs to trust and find the API: its CA certificate and the URL a server announced.
export const API_CA_KEY = `${ROOT}apiserver/ca.crt`;
export const API_URL_KEY = `${ROOT}apiserver/url`;
// A task's template, stored once per content (src/store/template-refs.ts): tasks and assignment
// copies carry its key instead of the whole service template.
//   /stackd/templates/<stack>/<sha256 of the template's JSON>
export const TEMPLATE_PREFIX = `${ROOT}templates/`;
export const templateKey = (namespace: string, hash: string) => `${TEMPLATE_PREFIX}${namespace}/${hash}`;
