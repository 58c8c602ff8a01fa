// Server-side printing (meta.k8s.io/v1 Table): the columns `stackctl` shows, so `kubectl get`
// reads like `stackctl services` / `stackctl ps` / `stackctl node ls`, and events like `kubectl
// get events` (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; -o wide adds COUNT, FIRST SEEN, SOURCE). Pure.
import type { Resource } from '../api/meta.js';
import type { Node, Service, Stack, Task } from '../api/objects.js';
import type { StackdEvent } from '../events/event.js';
import { objectRef } from '../events/view.js';
import { nodeRow, serviceRow, taskRow } from '../views/rows.js';
import type { Watched } from './watch-events.js';

interface Column {
  name: string;
  type: 'string' | 'integer';
  format?: string;
  description: string;
  /** 0: always shown; 1: with -o wide */
  priority?: number;
}

type Cells = Array<string | number>;
interface Printer {
  columns: Column[];
  cells: (o: Watched) => Cells;
}
/** A printer of objects of type T (the table's items are of the kind it is asked for). */
const printer = <T>(columns: Column[], cells: (o: T) => Cells): Printer => ({ columns, cells: (o) => cells(o as unknown as T) });

const col = (name: string, description: string, format?: string): Column => ({ name, type: 'string', format, description });
const wide = (name: string, description: string): Column => ({ ...col(name, description), priority: 1 });
const NAME = col('Name', 'metadata.name', 'name');
const AGE = col('Age', 'time since creation');

/** Kubernetes' short ages: 45s, 12m, 3h, 5d. */
export function shortAge(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const age = (o: Resource) => shortAge(o.metadata.creationTimestamp);

const PRINTERS: Record<string, Printer> = {
  Stack: printer<Stack>([NAME, col('Services', 'services in the stack'), AGE], (o) => [o.metadata.name, Object.keys(o.spec.services ?? {}).length, age(o)]),
  Service: printer<Service>(
    [NAME, col('Mode', 'replicated or global'), col('Replicas', 'running/desired'), col('Image', 'image'), col('Ports', 'published ports')],
    (o) => {
      const r = serviceRow(o);
      return [o.metadata.name, r.mode, r.replicas, r.image, r.ports];
    },
  ),
  Task: printer<Task>(
    [
      NAME,
      col('Task', 'stack_service.slot'),
      col('Image', 'image'),
      col('Node', 'spec.nodeName'),
      col('Desired', 'desired state'),
      col('Current', 'current state'),
      col('Error', 'error'),
    ],
    (o) => {
      const r = taskRow(o);
      return [o.metadata.name, r.name, r.image, r.node, r.desiredState, r.currentState, r.error];
    },
  ),
  Node: printer<Node>(
    [NAME, col('Hostname', 'hostname'), col('Status', 'status'), col('Availability', 'availability'), col('Role', 'role'), col('Engine', 'engine version')],
    (o) => {
      const r = nodeRow(o);
      return [r.name, r.hostname, r.status, r.availability, r.role, r.engine];
    },
  ),
  Event: printer<StackdEvent>(
    [
      col('Last Seen', 'time since the last occurrence'),
      col('Type', 'Normal or Warning'),
      col('Reason', 'why, in CamelCase'),
      col('Object', 'kind/stack_name of the object'),
      col('Message', 'what happened'),
      wide('Count', 'occurrences'),
      wide('First Seen', 'time since the first occurrence'),
      wide('Source', 'component/host that recorded it'),
      { ...NAME, priority: 1 },
    ],
    (e) => [
      shortAge(e.lastTimestamp),
      e.type,
      e.reason,
      objectRef(e),
      e.message,
      e.count,
      shortAge(e.firstTimestamp),
      [e.source.component, e.source.host].filter(Boolean).join('/'),
      e.metadata.name,
    ],
  ),
};

const DEFAULT_PRINTER = printer<Resource>([NAME, AGE], (o) => [o.metadata.name, age(o)]);

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

export function toTable(kind: string, items: readonly Watched[], resourceVersion: string, includeObject = 'Metadata') {
  const printer = PRINTERS[kind] ?? DEFAULT_PRINTER;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: printer.columns.map((c) => ({ ...c, format: c.format ?? '', priority: c.priority ?? 0 })),
    rows: items.map((o) => ({
      cells: printer.cells(o),
      object:
        includeObject === 'Object'
          ? o
          : includeObject === 'None'
            ? undefined
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
