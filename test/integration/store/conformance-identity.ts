// The cluster id (src/store/cluster-id.ts) and the node claim's hand-over of a key from one lease
// to another (src/agent/node-claim.ts), on every backend.
import { CLUSTER_ID_KEY } from '../../../src/api/keys.js';
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
