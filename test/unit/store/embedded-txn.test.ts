import { planTxn, type Lookup } from '../../../src/store/embedded-txn.js';
import { prefixEnd } from '../../../src/store/embedded-schema.js';
import type { TxnOp } from '../../../src/store/store.js';

// the store before each case: `live` at revision 7 (created at 3), `dead` deleted at 5
const lookup: Lookup = (key) =>
  ({
    live: { revision: 7, create_revision: 3, deleted: 0 },
    dead: { revision: 5, create_revision: 2, deleted: 1 },
  })[key];

const plan = (...ops: TxnOp[]) => planTxn(ops, lookup);

describe('planTxn', () => {
  it.each<[string, TxnOp, string | undefined]>([
    ['create on a new key', { op: 'create', key: 'new', value: 'v' }, undefined],
    ['create on a deleted key', { op: 'create', key: 'dead', value: 'v' }, undefined],
    ['create on a live key', { op: 'create', key: 'live', value: 'v' }, 'exists'],
    ['update at the current revision', { op: 'update', key: 'live', value: 'v', revision: 7 }, undefined],
    ['update at a stale revision', { op: 'update', key: 'live', value: 'v', revision: 3 }, 'revision'],
    ['update of a missing key', { op: 'update', key: 'new', value: 'v', revision: 0 }, 'revision'],
    ['update of a deleted key at its deletion revision', { op: 'update', key: 'dead', value: 'v', revision: 5 }, 'revision'],
    ['conditional delete at the current revision', { op: 'delete', key: 'live', revision: 7 }, undefined],
    ['conditional delete at a stale revision', { op: 'delete', key: 'live', revision: 6 }, 'revision'],
    ['conditional delete of a deleted key', { op: 'delete', key: 'dead', revision: 5 }, 'revision'],
    ['unconditional delete of a missing key', { op: 'delete', key: 'new' }, undefined],
    ['put on anything', { op: 'put', key: 'live', value: 'v' }, undefined],
    ['guard on a live key created at that revision', { op: 'guard', key: 'live', createRevision: 3 }, undefined],
    ['guard on a live key created at another revision', { op: 'guard', key: 'live', createRevision: 7 }, 'fenced'],
    ['guard on a deleted key', { op: 'guard', key: 'dead', createRevision: 2 }, 'fenced'],
    ['guard on a missing key', { op: 'guard', key: 'new', createRevision: 0 }, 'fenced'],
  ])('%s', (_, op, reason) => {
    expect(plan(op).conflicts).toEqual(reason ? [{ key: op.key, reason }] : []);
  });

  it('writes rows that carry the key history, and none for deleting what is not there', () => {
    expect(plan({ op: 'put', key: 'live', value: 'v2', lease: '12' }, { op: 'create', key: 'dead', value: 'again' }, { op: 'delete', key: 'new' }).rows).toEqual([
      { name: 'live', created: 0, deleted: 0, create_revision: 3, prev_revision: 7, lease: 12, value: 'v2' },
      { name: 'dead', created: 1, deleted: 0, create_revision: 0, prev_revision: 0, lease: null, value: 'again' },
    ]);
    expect(plan({ op: 'delete', key: 'live' }).rows).toEqual([
      { name: 'live', created: 0, deleted: 1, create_revision: 3, prev_revision: 7, lease: null, value: '' },
    ]);
  });

  it('a guard writes no row, and a failed guard stops the other writes', () => {
    expect(plan({ op: 'put', key: 'other', value: 'v' }, { op: 'guard', key: 'live', createRevision: 3 }).rows).toHaveLength(1);
    expect(plan({ op: 'put', key: 'other', value: 'v' }, { op: 'guard', key: 'dead', createRevision: 2 }).rows).toEqual([]);
  });

  it('writes nothing when any condition fails, and reports every failure', () => {
    const result = plan({ op: 'put', key: 'other', value: 'v' }, { op: 'create', key: 'live', value: 'v' }, { op: 'delete', key: 'dead', revision: 5 });
    expect(result.rows).toEqual([]);
    expect(result.conflicts).toEqual([
      { key: 'live', reason: 'exists' },
      { key: 'dead', reason: 'revision' },
    ]);
  });

  it('refuses a key twice in one txn, and lease ids that cannot exist', () => {
    expect(() => plan({ op: 'put', key: 'a', value: '1' }, { op: 'delete', key: 'a' })).toThrow('txn: key a appears more than once');
    expect(() => plan({ op: 'put', key: 'a', value: '1', lease: 'abc' })).toThrow('lease abc not found');
  });
});

describe('prefixEnd', () => {
  it.each([
    ['/stackd/', '/stackd0'],
    ['a', 'b'],
    ['\u{d7ff}', '\u{e000}'],
    ['ab\u{10ffff}', 'ac'],
    ['é', 'ê'],
    ['', undefined],
    ['\u{10ffff}', undefined],
  ])('%j ends at %j', (prefix, end) => {
    expect(prefixEnd(prefix)).toBe(end);
  });
});
