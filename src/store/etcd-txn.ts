// Pure translation between Store transactions and etcd's If/Then/Else.
// Then: the writes. Else: a keys-only read of every conditional key, so a failed transaction can
// say exactly which conditions failed, as seen atomically with the failed comparison.
import type { ICompare, IKeyValue, IRequestOp, ITxnRequest, ITxnResponse } from 'etcd3';
import type { KeyValue, TxnConflict, TxnOp, TxnResult } from './store.js';

export function toEtcdTxn(ops: TxnOp[]): ITxnRequest {
  const compare: ICompare[] = [];
  const success: IRequestOp[] = [];
  const failure: IRequestOp[] = [];
  for (const op of ops) {
    const key = Buffer.from(op.key);
    const condition = conditionOf(op);
    if (condition) {
      compare.push({ key, ...condition });
      failure.push({ request_range: { key, keys_only: true } });
    }
    if (op.op === 'guard') continue;
    if (op.op === 'delete') success.push({ request_delete_range: { key } });
    else success.push({ request_put: { key, value: Buffer.from(op.value), lease: op.lease ?? 0 } });
  }
  return { compare, success, failure };
}

function conditionOf(op: TxnOp): Omit<ICompare, 'key'> | undefined {
  switch (op.op) {
    case 'create':
      return { target: 'Create', result: 'Equal', create_revision: 0 };
    case 'update':
      return { target: 'Mod', result: 'Equal', mod_revision: op.revision };
    case 'delete':
      return op.revision === undefined ? undefined : { target: 'Mod', result: 'Equal', mod_revision: op.revision };
    case 'put':
      return undefined;
    case 'guard': // a missing key's create_revision is 0, which no guard names
      return { target: 'Create', result: 'Equal', create_revision: op.createRevision };
  }
}

export function fromEtcdTxn(ops: TxnOp[], res: ITxnResponse): TxnResult {
  const revision = Number(res.header.revision);
  if (res.succeeded) return { succeeded: true, revision, conflicts: [] };
  const conditional = ops.filter((op) => conditionOf(op) !== undefined);
  const conflicts: TxnConflict[] = [];
  conditional.forEach((op, i) => {
    const current = res.responses[i]?.response_range?.kvs[0];
    const conflict = conflictOf(op, current && { mod: Number(current.mod_revision), create: Number(current.create_revision) });
    if (conflict) conflicts.push(conflict);
  });
  return { succeeded: false, revision, conflicts };
}

function conflictOf(op: TxnOp, current: { mod: number; create: number } | undefined): TxnConflict | undefined {
  const modRevision = current?.mod;
  if (op.op === 'guard') return current?.create === op.createRevision ? undefined : { key: op.key, reason: 'fenced' };
  if (op.op === 'create') return modRevision === undefined ? undefined : { key: op.key, reason: 'exists' };
  if (op.op === 'update' || (op.op === 'delete' && op.revision !== undefined)) {
    return modRevision === op.revision ? undefined : { key: op.key, reason: 'revision' };
  }
  return undefined;
}

export function fromEtcdKv(kv: IKeyValue): KeyValue {
  const result: KeyValue = {
    key: kv.key.toString(),
    value: kv.value.toString(),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
  if (kv.lease && kv.lease !== '0') result.lease = kv.lease;
  return result;
}
