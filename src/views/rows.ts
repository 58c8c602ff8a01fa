// How tasks, services and nodes read in listings, in the docker CLI's words. Pure.
import type { Node, Service, Task } from '../api/objects.js';
import { formatPorts } from './ports.js';

/** "2 seconds ago", "3 minutes ago", like docker's CURRENT STATE column. */
export function ago(iso: string | undefined, now = new Date()): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  const unit = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'} ago`;
  if (s < 1) return 'less than a second ago';
  if (s < 60) return unit(s, 'second');
  if (s < 3600) return unit(Math.round(s / 60), 'minute');
  if (s < 86400) return unit(Math.round(s / 3600), 'hour');
  return unit(Math.round(s / 86400), 'day');
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `stack_service.slot` for replicated tasks, `stack_service.node` for global ones. */
export function taskDisplayName(t: Task): string {
  return `${t.spec.stack}_${t.spec.service}.${t.spec.slot ?? t.spec.nodeName ?? ''}`;
}

export interface TaskRow {
  id: string;
  name: string;
  image: string;
  node: string;
  desiredState: string;
  currentState: string;
  since: string;
  error: string;
}

export function taskRow(t: Task, _now = new Date()): TaskRow {
  const state = t.status?.state ?? 'new';
  const waiting = state === 'new' || state === 'pending' ? (t.status?.message ?? '') : '';
  return {
    id: t.metadata.name,
    name: taskDisplayName(t),
    // a node's network view of another node's task has no template (apiserver/network-view.ts)
    image: t.spec.template?.image ?? '',
    node: t.spec.nodeName ?? '',
    desiredState: capital(t.spec.desiredState),
    currentState: capital(state),
    since: t.status?.timestamp ?? '',
    error: t.status?.error ?? waiting,
  };
}

export const TASK_HEADERS = ['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR'];
export function taskCells(r: TaskRow, now = new Date()): string[] {
  return [r.id.slice(0, 12), r.name, r.image, r.node, r.desiredState, `${r.currentState} ${ago(r.since, now)}`.trim(), r.error];
}

/** Tasks slot by slot, the task the manager wants running first, then newest first: how `docker
 *  service ps` reads. A replicated slot's tasks may be on different nodes (a replacement after a
 *  node loss): only a global service's slots are per node. */
export function sortTasks(tasks: Task[]): Task[] {
  const wanted = (t: Task) => (t.spec.desiredState === 'shutdown' ? 1 : 0);
  const nodeOfGlobal = (t: Task) => (t.spec.slot === undefined ? (t.spec.nodeName ?? '') : '');
  return [...tasks].sort(
    (a, b) =>
      a.spec.stack.localeCompare(b.spec.stack) ||
      a.spec.service.localeCompare(b.spec.service) ||
      (a.spec.slot ?? 0) - (b.spec.slot ?? 0) ||
      nodeOfGlobal(a).localeCompare(nodeOfGlobal(b)) ||
      wanted(a) - wanted(b) ||
      b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp),
  );
}

/** Every task, slot by slot; earlier tasks of a slot are marked `\_ ` as in `docker service ps`. */
export function taskRows(tasks: Task[], now = new Date()): TaskRow[] {
  let previous = '';
  return sortTasks(tasks).map((t) => {
    const row = taskRow(t, now);
    const history = row.name === previous;
    previous = row.name;
    return history ? { ...row, name: `\\_ ${row.name}` } : row;
  });
}

export interface ServiceRow {
  id: string;
  name: string;
  mode: string;
  replicas: string;
  image: string;
  ports: string;
  message: string;
}

export function serviceRow(s: Service): ServiceRow {
  const r = s.status?.replicas;
  const deploy = s.spec.template.deploy;
  const desired = deploy.mode === 'global' ? (r?.desired ?? 0) : deploy.replicas;
  return {
    id: s.metadata.uid.replace(/-/g, '').slice(0, 12),
    name: `${s.metadata.namespace}_${s.metadata.name}`,
    mode: deploy.mode,
    // a Compose `stop` keeps the tasks: "0/2 (stopped)"
    replicas: `${r?.running ?? 0}/${desired}${s.spec.stopped ? ' (stopped)' : ''}`,
    image: s.spec.template.image ?? '',
    ports: formatPorts(s.spec.template.ports),
    message: s.status?.message ?? '',
  };
}

export const SERVICE_HEADERS = ['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS'];
export const serviceCells = (r: ServiceRow) => [r.id, r.name, r.mode, r.replicas, r.image, r.ports];

export interface NodeRow {
  name: string;
  hostname: string;
  status: string;
  availability: string;
  role: string;
  engine: string;
  labels: Record<string, string>;
}

export function nodeRow(n: Node): NodeRow {
  const engine = n.status?.conditions?.find((c) => c.type === 'EngineReachable' && c.status === 'False');
  const state = capital(n.status?.state ?? 'unknown');
  return {
    name: n.metadata.name,
    hostname: n.status?.hostname ?? '',
    // why a node is down, when its agent knows: "Down (Docker Engine unreachable at ...)"
    status: engine && state !== 'Ready' ? `${state} (${engine.message})` : state,
    availability: capital(n.spec.availability),
    role: n.spec.role,
    engine: n.status?.engineVersion ?? '',
    labels: n.spec.labels,
  };
}

export const NODE_HEADERS = ['NAME', 'HOSTNAME', 'STATUS', 'AVAILABILITY', 'ROLE', 'ENGINE VERSION'];
export const nodeCells = (r: NodeRow) => [r.name, r.hostname, r.status, r.availability, r.role, r.engine];
