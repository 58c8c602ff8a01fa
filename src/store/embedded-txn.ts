// Planning a transaction against the current rows: which conditions fail, which rows to write.
// Pure: the caller reads the latest rows and writes the plan inside one SQLite transaction.
import type { TxnConflict, TxnOp } from './store.js';
import type { NewRow, Row } from './embedded-schema.js';

/** The latest row of a key, if it ever had one. */
export type Lookup = (key: string) => Pick<Row, 'revision' | 'create_revision' | 'deleted'> | undefined;

export interface TxnPlan {
  conflicts: TxnConflict[];
  /** rows to write at the next revision; `create_revision` 0 means "the new revision" */
  rows: NewRow[];
}

export function planTxn(ops: TxnOp[], lookup: Lookup): TxnPlan {
  const seen = new Set<string>();
  const conflicts: TxnConflict[] = [];
  const rows: NewRow[] = [];
  for (const op of ops) {
    if (seen.has(op.key)) throw new Error(`txn: key ${op.key} appears more than once`);
    seen.add(op.key);
    const latest = lookup(op.key);
    const live = latest && latest.deleted === 0 ? latest : undefined;
    const modRevision = live?.revision ?? 0;

    if (op.op === 'guard') {
      if (live?.create_revision !== op.createRevision) conflicts.push({ key: op.key, reason: 'fenced' });
    } else if (op.op === 'create' && live) conflicts.push({ key: op.key, reason: 'exists' });
    else if (op.op === 'update' && (!live || modRevision !== op.revision)) conflicts.push({ key: op.key, reason: 'revision' });
    else if (op.op === 'delete' && op.revision !== undefined && (!live || modRevision !== op.revision)) {
      conflicts.push({ key: op.key, reason: 'revision' });
    } else if (op.op === 'delete') {
      if (live) rows.push(row(op.key, live, { deleted: 1, value: '', lease: null }));
    } else {
      rows.push(row(op.key, live, { deleted: 0, value: op.value, lease: parseLeaseId(op.lease) }));
    }
  }
  return { conflicts, rows: conflicts.length > 0 ? [] : rows };
}

function row(name: string, live: Pick<Row, 'revision' | 'create_revision'> | undefined, change: Pick<NewRow, 'deleted' | 'value' | 'lease'>): NewRow {
  return {
    name,
    created: live ? 0 : 1,
    create_revision: live?.create_revision ?? 0,
    prev_revision: live?.revision ?? 0,
    ...change,
  };
}

/** Lease ids are the decimal row ids of the leases table. */
export function parseLeaseId(id: string | undefined): number | null {
  if (id === undefined) return null;
  if (!/^[1-9][0-9]{0,15}$/.test(id)) throw new Error(`lease ${id} not found`);
  return Number(id);
}
