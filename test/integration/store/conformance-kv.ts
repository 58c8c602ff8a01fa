// get / list / revisions.
import type { StoreFixture } from './conformance.js';
import { uniquePrefix } from './helpers.js';

export function describeKvCases(fixture: StoreFixture): void {
  describe('keys and revisions', () => {
    it('revisions only grow, and get reports createRevision and modRevision', async () => {
      const store = await fixture.open();
      const p = uniquePrefix('rev');
      const first = await store.txn([{ op: 'put', key: `${p}a`, value: '1' }]);
      const second = await store.txn([{ op: 'put', key: `${p}a`, value: '2' }]);
      const third = await store.txn([{ op: 'put', key: `${p}b`, value: '3' }]);
      expect(first.succeeded).toBe(true);
      expect(second.revision).toBeGreaterThan(first.revision);
      expect(third.revision).toBeGreaterThan(second.revision);

      const a = await store.get(`${p}a`);
      expect(a).toMatchObject({ key: `${p}a`, value: '2', createRevision: first.revision, modRevision: second.revision });
      expect(a?.lease).toBeUndefined();

      const deleted = await store.txn([{ op: 'delete', key: `${p}a` }]);
      expect(deleted.succeeded).toBe(true);
      expect(deleted.revision).toBeGreaterThan(third.revision);
      expect(await store.get(`${p}a`)).toBeUndefined();

      // a re-created key starts a new life: a new createRevision
      const again = await store.txn([{ op: 'create', key: `${p}a`, value: '4' }]);
      expect(await store.get(`${p}a`)).toMatchObject({ createRevision: again.revision, modRevision: again.revision });
    });

    it('get of a missing key is undefined', async () => {
      const store = await fixture.open();
      expect(await store.get(`${uniquePrefix('missing')}nothing`)).toBeUndefined();
    });

    it('list returns the keys under a prefix in key order, with revisions and the snapshot revision', async () => {
      const store = await fixture.open();
      const p = uniquePrefix('list');
      const c = await store.txn([{ op: 'put', key: `${p}dir/c`, value: 'C' }]);
      const a = await store.txn([{ op: 'put', key: `${p}dir/a`, value: 'A' }]);
      const b = await store.txn([
        { op: 'put', key: `${p}dir/b`, value: 'B' },
        { op: 'put', key: `${p}dir2/x`, value: 'not under dir/' },
      ]);

      const result = await store.list(`${p}dir/`);
      expect(result.items.map((kv) => [kv.key, kv.value])).toEqual([
        [`${p}dir/a`, 'A'],
        [`${p}dir/b`, 'B'],
        [`${p}dir/c`, 'C'],
      ]);
      expect(result.items.map((kv) => kv.modRevision)).toEqual([a.revision, b.revision, c.revision]);
      expect(result.items.map((kv) => kv.createRevision)).toEqual([a.revision, b.revision, c.revision]);
      expect(result.revision).toBeGreaterThanOrEqual(b.revision);

      const empty = await store.list(`${p}none/`);
      expect(empty.items).toEqual([]);
      expect(empty.revision).toBeGreaterThanOrEqual(b.revision);
    });

    it('values are UTF-8 text kept exactly', async () => {
      const store = await fixture.open();
      const p = uniquePrefix('utf8');
      const value = JSON.stringify({ name: 'café ☕ 数据', nested: { empty: '' } });
      await store.txn([
        { op: 'put', key: `${p}json`, value },
        { op: 'put', key: `${p}empty`, value: '' },
      ]);
      expect((await store.get(`${p}json`))?.value).toBe(value);
      expect((await store.get(`${p}empty`))?.value).toBe('');
    });

    it('reports its endpoint', async () => {
      const store = await fixture.open();
      expect(store.endpoint).toMatch(/^[a-z0-9+]+:\/\/./);
    });
  });
}
