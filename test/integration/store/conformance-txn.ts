// Transactions: conditions (create-only, compare-and-swap, conditional delete) and atomicity.
import type { StoreFixture } from './conformance.js';
import { uniquePrefix } from './helpers.js';

export function describeTxnCases(fixture: StoreFixture): void {
  describe('transactions', () => {
    it('create-only wins on a new key and loses on an existing one', async () => {
      const store = await fixture.open();
      const key = `${uniquePrefix('create')}k`;
      const won = await store.txn([{ op: 'create', key, value: 'first' }]);
      expect(won).toMatchObject({ succeeded: true, conflicts: [] });

      const lost = await store.txn([{ op: 'create', key, value: 'second' }]);
      expect(lost.succeeded).toBe(false);
      expect(lost.conflicts).toEqual([{ key, reason: 'exists' }]);
      expect(lost.revision).toBeGreaterThanOrEqual(won.revision);
      expect((await store.get(key))?.value).toBe('first');
    });

    it('compare-and-swap wins with the current revision and loses with a stale one', async () => {
      const store = await fixture.open();
      const key = `${uniquePrefix('cas')}k`;
      const created = await store.txn([{ op: 'create', key, value: 'v1' }]);

      const swapped = await store.txn([{ op: 'update', key, value: 'v2', revision: created.revision }]);
      expect(swapped.succeeded).toBe(true);
      expect(swapped.revision).toBeGreaterThan(created.revision);

      const stale = await store.txn([{ op: 'update', key, value: 'v3', revision: created.revision }]);
      expect(stale.succeeded).toBe(false);
      expect(stale.conflicts).toEqual([{ key, reason: 'revision' }]);
      expect(await store.get(key)).toMatchObject({ value: 'v2', modRevision: swapped.revision });

      const missing = `${key}-missing`;
      const onMissing = await store.txn([{ op: 'update', key: missing, value: 'x', revision: created.revision }]);
      expect(onMissing.conflicts).toEqual([{ key: missing, reason: 'revision' }]);
      expect(await store.get(missing)).toBeUndefined();
    });

    it('a conditional delete needs the current revision and an existing key', async () => {
      const store = await fixture.open();
      const key = `${uniquePrefix('cdel')}k`;
      const v1 = await store.txn([{ op: 'put', key, value: 'v1' }]);
      const v2 = await store.txn([{ op: 'put', key, value: 'v2' }]);

      const stale = await store.txn([{ op: 'delete', key, revision: v1.revision }]);
      expect(stale.succeeded).toBe(false);
      expect(stale.conflicts).toEqual([{ key, reason: 'revision' }]);
      expect((await store.get(key))?.value).toBe('v2');

      const current = await store.txn([{ op: 'delete', key, revision: v2.revision }]);
      expect(current.succeeded).toBe(true);
      expect(await store.get(key)).toBeUndefined();

      const gone = await store.txn([{ op: 'delete', key, revision: v2.revision }]);
      expect(gone.succeeded).toBe(false);
      expect(gone.conflicts).toEqual([{ key, reason: 'revision' }]);

      // an unconditional delete of a missing key is not a conflict
      expect((await store.txn([{ op: 'delete', key }])).succeeded).toBe(true);
    });

    it('a multi-operation txn writes everything at one revision', async () => {
      const store = await fixture.open();
      const p = uniquePrefix('multi');
      const base = await store.txn([
        { op: 'put', key: `${p}old`, value: 'o' },
        { op: 'put', key: `${p}gone`, value: 'g' },
      ]);
      const result = await store.txn([
        { op: 'create', key: `${p}new`, value: 'n' },
        { op: 'update', key: `${p}old`, value: 'o2', revision: base.revision },
        { op: 'put', key: `${p}any`, value: 'a' },
        { op: 'delete', key: `${p}gone`, revision: base.revision },
      ]);
      expect(result).toMatchObject({ succeeded: true, conflicts: [] });

      const { items } = await store.list(p);
      expect(items.map((kv) => [kv.key.slice(p.length), kv.value, kv.modRevision])).toEqual([
        ['any', 'a', result.revision],
        ['new', 'n', result.revision],
        ['old', 'o2', result.revision],
      ]);
    });

    it('a multi-operation txn with failing conditions writes nothing and reports every conflict', async () => {
      const store = await fixture.open();
      const p = uniquePrefix('atomic');
      const base = await store.txn([
        { op: 'put', key: `${p}exists`, value: 'e' },
        { op: 'put', key: `${p}moved`, value: 'm1' },
        { op: 'put', key: `${p}steady`, value: 's' },
        { op: 'put', key: `${p}doomed`, value: 'd1' },
      ]);
      const moved = await store.txn([
        { op: 'put', key: `${p}moved`, value: 'm2' },
        { op: 'put', key: `${p}doomed`, value: 'd2' },
      ]);

      const result = await store.txn([
        { op: 'put', key: `${p}a`, value: 'would be written' },
        { op: 'create', key: `${p}b`, value: 'would be created' },
        { op: 'create', key: `${p}exists`, value: 'x' },
        { op: 'update', key: `${p}moved`, value: 'x', revision: base.revision },
        { op: 'update', key: `${p}steady`, value: 'would be swapped', revision: base.revision },
        { op: 'delete', key: `${p}doomed`, revision: base.revision },
      ]);
      expect(result.succeeded).toBe(false);
      expect(result.revision).toBeGreaterThanOrEqual(moved.revision);
      expect(sortConflicts(result.conflicts)).toEqual([
        { key: `${p}doomed`, reason: 'revision' },
        { key: `${p}exists`, reason: 'exists' },
        { key: `${p}moved`, reason: 'revision' },
      ]);

      const { items } = await store.list(p);
      expect(items.map((kv) => [kv.key.slice(p.length), kv.value])).toEqual([
        ['doomed', 'd2'],
        ['exists', 'e'],
        ['moved', 'm2'],
        ['steady', 's'],
      ]);
    });

    it('a large batch commits in one transaction', async () => {
      const store = await fixture.open();
      const p = uniquePrefix('batch');
      const ops = Array.from({ length: 1000 }, (_, i) => ({
        op: 'create' as const,
        key: `${p}${String(i).padStart(4, '0')}`,
        value: `{"i":${i}}`,
      }));
      const result = await store.txn(ops);
      expect(result.succeeded).toBe(true);
      const { items } = await store.list(p);
      expect(items).toHaveLength(1000);
      expect(new Set(items.map((kv) => kv.modRevision))).toEqual(new Set([result.revision]));
    });
  });
}

function sortConflicts<T extends { key: string; reason: string }>(conflicts: T[]): T[] {
  return [...conflicts].sort((a, b) => `${a.key} ${a.reason}`.localeCompare(`${b.key} ${b.reason}`));
}
