// Server-side printing (meta.k8s.io/v1 Table): the columns `stackctl` shows, so `kubectl get`
// reads like `stackctl services` / `stackctl ps` / `stackctl node ls`. Pure.
import type { Resource } from '../api/meta.js';
import type { Node, Service, Stack, Task } from '../api/objects.js';
import { nodeRow, serviceRow, taskRow } from '../views/rows.js';

interface Column {
  name: string;
  type: 'string' | 'integer';
  format?: string;
  description: string;
}

const col = (name: string, description: string, format?: string): Column => ({ name, type: 'string', format, description });
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

const PRINTERS: Record<string, { columns: Column[]; cells: (o: Resource) => Array<string | number> }> = {
  Stack: {
    columns: [NAME, col('Services', 'services in the stack'), AGE],
    cells: (o) => [o.metadata.name, Object.keys((o as Stack).spec.services ?? {}).length, age(o)],
  },
  Service: {
    columns: [NAME, col('Mode', 'replicated or global'), col('Replicas', 'running/desired'), col('Image', 'image'), col('Ports', 'published ports')],
    cells: (o) => {
      const r = serviceRow(o as Service);
      return [o.metadata.name, r.mode, r.replicas, r.image, r.ports];
    },
  },
  Task: {
    columns: [
      NAME,
      col('Task', 'stack_service.slot'),
      col('Image', 'image'),
      col('Node', 'spec.nodeName'),
      col('Desired', 'desired state'),
      col('Current', 'current state'),
      col('Error', 'error'),
    ],
    cells: (o) => {
      const r = taskRow(o as Task);
      return [o.metadata.name, r.name, r.image, r.node, r.desiredState, r.currentState, r.error];
    },
  },
  Node: {
    columns: [NAME, col('Hostname', 'hostname'), col('Status', 'status'), col('Availability', 'availability'), col('Role', 'role'), col('Engine', 'engine version')],
    cells: (o) => {
      const r = nodeRow(o as Node);
      return [r.name, r.hostname, r.status, r.availability, r.role, r.engine];
    },
  },
};

const DEFAULT_PRINTER = { columns: [NAME, AGE], cells: (o: Resource) => [o.metadata.name, age(o)] };

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

export function toTable(kind: string, items: Resource[], resourceVersion: string, includeObject = 'Metadata') {
  const printer = PRINTERS[kind] ?? DEFAULT_PRINTER;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: printer.columns.map((c) => ({ ...c, format: c.format ?? '', priority: 0 })),
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
