// The cluster id (src/store/cluster-id.ts) and the node claim's hand-over of a key from one lease
// to another (src/agent/node-claim.ts), on every backend.
import { ADDR_POOL_KEY, CLUSTER_ID_KEY } from '../../../src/api/keys.js';
import { ensureAddressPool } from '../../../src/net/addr-pool.js';
import { ensureClusterId } from '../../../src/store/cluster-id.js';
import type { StoreFixture } from './conformance.js';
import { uniquePrefix } from './helpers.js';

export function describeIdentityCases(fixture: StoreFixture): void {
  describe('cluster identity', () => {
    it('a store without an id gets exactly one, whoever opens it first; later calls read it back', async () => {
      const a = await fixture.open();
      const b = await fixture.openPeer(a);
      // a store made before cluster ids existed (or a fresh one)
      const old = await a.get(CLUSTER_ID_KEY);
      if (old) await a.txn([{ op: 'delete', key: CLUSTER_ID_KEY }]);
      let made = 0;
      const newId = () => `id-${++made}-${Math.random()}`;
      const [ida, idb] = await Promise.all([ensureClusterId(a, newId), ensureClusterId(b, newId)]);
      expect(ida).toMatch(/^id-\d-/);
      expect(idb).toBe(ida);
      expect(await ensureClusterId(b)).toBe(ida);
      expect((await a.get(CLUSTER_ID_KEY))?.value).toBe(ida);
    });

    it('the default address pool: the default until a manager gives one; the first given is kept, another refused', async () => {
      const a = await fixture.open();
      const b = await fixture.openPeer(a);
      if (await a.get(ADDR_POOL_KEY)) await a.txn([{ op: 'delete', key: ADDR_POOL_KEY }]);
      expect(await ensureAddressPool(a)).toBe('10.128.0.0/10');
      expect(await a.get(ADDR_POOL_KEY)).toBeUndefined();
      const [pa, pb] = await Promise.allSettled([ensureAddressPool(a, '10.60.0.0/16'), ensureAddressPool(b, '10.70.0.0/16')]);
      const kept = (await a.get(ADDR_POOL_KEY))!.value;
      expect(['10.60.0.0/16', '10.70.0.0/16']).toContain(kept);
      // of two managers racing with different pools, one records its own and the other is refused
      const results = [pa, pb].map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message));
      expect(results).toContain(kept);
      expect(results.find((r) => r !== kept)).toBe(
        `--default-addr-pool ${kept === '10.60.0.0/16' ? '10.70.0.0/16' : '10.60.0.0/16'}: this cluster's pool is ${kept}, recorded by the manager first given one (allocations never move): drop the flag or give that pool`,
      );
      expect(await ensureAddressPool(b)).toBe(kept);
      expect(await ensureAddressPool(b, kept)).toBe(kept);
      await a.txn([{ op: 'delete', key: ADDR_POOL_KEY }]);
    });

    it('a key moved onto another lease outlives the lease it was on', async () => {
      const store = await fixture.open();
      const key = `${uniquePrefix('handover')}k`;
      const first = await store.grantLease(2);
      const put = await store.txn([{ op: 'create', key, value: 'first', lease: first.id }]);
      const second = await store.grantLease(2);
      await store.txn([{ op: 'update', key, value: 'second', revision: put.revision, lease: second.id }]);
      await first.revoke();
      expect((await store.get(key))?.value).toBe('second');
      expect((await store.get(key))?.lease).toBe(second.id);
      await second.revoke();
      expect(await store.get(key)).toBeUndefined();
    });
  });
}
