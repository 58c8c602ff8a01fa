// Who may do what. admin: everything. viewer: read (secrets' data is never served anyway).
// node N (like Kubernetes' NodeRestriction): reads its own Node, the tasks assigned to it, the
// configs and secrets those tasks mount, the stacks of those tasks (their networks and volumes),
// and networks and volumes; lists and watches every task, service, stack and node only through
// their network view (network-view.ts: what its cluster networking needs, no template, no secret);
// creates its own Node (registration) and writes only its Node's status and its tasks' status
// (never its spec: a node cannot relabel itself to attract work). Pure: checks that need an object
// say which (`check`), the handler runs them; `view` names the projection the handler serves.
import type { Kind } from '../api/meta.js';
import type { Task } from '../api/objects.js';
import type { Identity } from './tokens.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
export const READ_VERBS: ReadonlySet<Verb> = new Set(['get', 'list', 'watch']);

export interface Access {
  verb: Verb;
  kind: Kind;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** the node a field selector pins (spec.node=X on tasks, metadata.name=X on nodes) */
  pinnedNode?: string;
}

export type Decision =
  | {
      allow: true;
      /** an object-level condition the handler must verify */
      check?: 'own-task' | 'own-task-file' | 'own-stack' | 'own-node';
      /** serve each object (and match selectors against it) as network-view.ts projects it */
      view?: 'network';
    }
  | { allow: false; reason: string };

const deny = (reason: string): Decision => ({ allow: false, reason });
const NETWORK_VIEW: Decision = { allow: true, view: 'network' };

function nodeAccess(node: string, a: Access): Decision {
  const read = READ_VERBS.has(a.verb);
  const statusWrite = (a.verb === 'update' || a.verb === 'patch') && a.subresource === 'status';
  const listing = (a.verb === 'list' || a.verb === 'watch') && !a.subresource;
  switch (a.kind) {
    case 'Node':
      if (a.verb === 'get' && a.name === node && !a.subresource) return { allow: true };
      if (listing) return a.pinnedNode === node ? { allow: true } : NETWORK_VIEW;
      if (statusWrite && a.name === node) return { allow: true };
      if (a.verb === 'create' && !a.name) return { allow: true, check: 'own-node' };
      return deny(`node ${node} may get, register and update the status of Node ${node} only`);
    case 'Task':
      if (listing) return a.pinnedNode === node ? { allow: true } : NETWORK_VIEW;
      if ((a.verb === 'get' && !a.subresource) || statusWrite) return { allow: true, check: 'own-task' };
      return deny(`node ${node} may get only its own tasks, and write only their status`);
    case 'Service':
      return listing ? NETWORK_VIEW : deny(`node ${node} may only list and watch services (their network view)`);
    case 'Config':
    case 'Secret':
      if (a.verb === 'get' && !a.subresource) return { allow: true, check: 'own-task-file' };
      return deny(`node ${node} may get only the ${a.kind.toLowerCase()}s of its tasks`);
    case 'Stack':
      if (a.verb === 'get' && !a.subresource) return { allow: true, check: 'own-stack' };
      if (listing) return NETWORK_VIEW;
      return deny(`node ${node} may get only the stacks of its tasks`);
    case 'Network':
    case 'Volume':
      return read && !a.subresource ? { allow: true } : deny(`node ${node} may only read ${a.kind.toLowerCase()}s`);
    default:
      return deny(`node ${node} may not ${a.verb} ${a.kind.toLowerCase()}s`);
  }
}

export function authorize(who: Identity, a: Access): Decision {
  if (a.kind === 'GitOpsSecret' && READ_VERBS.has(a.verb)) return deny('gitopssecrets are write-only: only the GitOps controller reads them');
  if (who.role === 'admin') return { allow: true };
  if (who.role === 'viewer') return READ_VERBS.has(a.verb) ? { allow: true } : deny(`viewer may only get, list and watch`);
  return nodeAccess(who.node ?? '', a);
}

/** Events (apiserver/events.ts): for operators, admins and viewers read them; a node has no
 *  business with them (its agent records none: the manager writes every event to the Store). */
export function authorizeEvents(who: Identity, verb: Verb): Decision {
  if (who.role === 'node') return deny(`node ${who.node} may not ${verb} events`);
  if (who.role === 'viewer' && !READ_VERBS.has(verb)) return deny('viewer may only get, list and watch');
  return { allow: true };
}

export const taskOnNode = (t: Task, node: string) => t.spec.nodeName === node;

/** Whether a task mounts the Config/Secret object named `name` (`<source>-<version>`). */
export function taskMounts(t: Task, kind: 'Config' | 'Secret', name: string, versionedName: (source: string, version?: string) => string): boolean {
  const refs = kind === 'Config' ? t.spec.template.configs : t.spec.template.secrets;
  return refs.some((r) => versionedName(r.source, r.version) === name);
}
