// Leases: keys attached to a lease live while it is kept alive and die with it.
import type { StoreFixture } from './conformance.js';
import { eventually, sleep, uniquePrefix } from './helpers.js';

/** etcd rounds TTLs up to its minimum lease TTL (2 s with default election settings). */
const TTL = 2;

export function describeLeaseCases(fixture: StoreFixture): void {
  describe('leases', () => {
    it('keys carry their lease, outlive the TTL while kept alive, and are revoked with it', async () => {
      const store = await fixture.open();
      const p = uniquePrefix('revoke');
      const lease = await store.grantLease(TTL);
      expect(lease.id).toEqual(expect.any(String));
      expect(lease.ttlSeconds).toBeGreaterThanOrEqual(TTL);
      let lostReason: string | undefined;
      let lostCompleted = false;
      lease.lost$.subscribe({ next: (r) => (lostReason = r), complete: () => (lostCompleted = true) });

      await store.txn([
        { op: 'create', key: `${p}a`, value: '1', lease: lease.id },
        { op: 'put', key: `${p}b`, value: '2', lease: lease.id },
        { op: 'put', key: `${p}plain`, value: '3' },
      ]);
      expect((await store.get(`${p}a`))?.lease).toBe(lease.id);

      // the keepalive must carry the lease well past its TTL
      await sleep(TTL * 1000 * 2);
      expect((await store.list(p)).items.map((kv) => kv.key.slice(p.length))).toEqual(['a', 'b', 'plain']);
      expect(lostReason).toBeUndefined();

      await lease.revoke();
      expect((await store.list(p)).items.map((kv) => kv.key.slice(p.length))).toEqual(['plain']);
      await eventually(() => lostCompleted, 'lost$ to complete after revoke');
      expect(lostReason).toEqual(expect.any(String));
    }, 30_000);

    it('an update can move a key onto a lease', async () => {
      const store = await fixture.open();
      const key = `${uniquePrefix('attach')}k`;
      const created = await store.txn([{ op: 'put', key, value: '1' }]);
      const lease = await store.grantLease(TTL);
      await store.txn([{ op: 'update', key, value: '2', revision: created.revision, lease: lease.id }]);
      expect((await store.get(key))?.lease).toBe(lease.id);
      await lease.revoke();
      expect(await store.get(key)).toBeUndefined();
    });

    it('a lease granted without keepalive expires at its TTL and takes its keys, the store still open', async () => {
      const store = await fixture.open();
      const p = uniquePrefix('nokeepalive');
      const lease = await store.grantLease(TTL, { keepAlive: false });
      let lost = false;
      lease.lost$.subscribe({ complete: () => (lost = true) });
      await store.txn([
        { op: 'put', key: `${p}a`, value: '1', lease: lease.id },
        { op: 'put', key: `${p}b`, value: '2', lease: lease.id },
        { op: 'put', key: `${p}plain`, value: '3' },
      ]);
      expect((await store.list(p)).items).toHaveLength(3);
      await eventually(async () => (await store.list(p)).items.length === 1, 'the unkept lease to expire', 20_000);
      expect((await store.list(p)).items.map((kv) => kv.key.slice(p.length))).toEqual(['plain']);
      await eventually(() => lost, 'lost$ to complete once the lease expired');
    }, 30_000);

    it('a lease whose holder went away expires and takes its keys', async () => {
      const holder = await fixture.open();
      const observer = await fixture.openPeer(holder);
      const key = `${uniquePrefix('expire')}k`;
      const lease = await holder.grantLease(TTL);
      await holder.txn([{ op: 'put', key, value: 'ephemeral', lease: lease.id }]);
      expect((await observer.get(key))?.value).toBe('ephemeral');

      await holder.close();
      await eventually(async () => (await observer.get(key)) === undefined, 'the leased key to expire', 20_000);
    }, 30_000);
  });
}
