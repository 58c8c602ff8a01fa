// Leader election: one leader at a time, observers see each change, failover when the leader goes.
import type { Leadership } from '../../../src/store/store.js';
import { fencedStore, LeadershipLostError } from '../../../src/store/fenced.js';
import type { StoreFixture } from './conformance.js';
import { eventually, sleep, uniquePrefix } from './helpers.js';

const TTL = 2;

export function describeElectionCases(fixture: StoreFixture): void {
  describe('election', () => {
    it('elects one campaigner at a time and fails over on resign and on the leader going away', async () => {
      const a = await fixture.open();
      const b = await fixture.openPeer(a);
      const c = await fixture.openPeer(a);
      const name = uniquePrefix('election').slice(1, -1).replace(/\//g, '-');

      const seen: (string | undefined)[] = [];
      const observing = c
        .election(name, TTL)
        .observe()
        .subscribe((v) => seen.push(v));
      try {
        await eventually(() => seen.length > 0, 'observe() to report the current leader');
        expect(seen).toEqual([undefined]);

        const leaderA = await a.election(name, TTL).campaign('a');
        const lostA = recordLost(leaderA);
        await eventually(() => seen[seen.length - 1] === 'a', 'observe() to report a');

        const campaignB = settled(b.election(name, TTL).campaign('b'));
        const abortC = new AbortController();
        const campaignC = settled(c.election(name, TTL).campaign('c', abortC.signal));
        await sleep(300);
        expect(campaignB.state).toBe('pending');
        expect(campaignC.state).toBe('pending');
        abortC.abort();
        await eventually(() => campaignC.state === 'rejected', 'the aborted campaign to reject');

        await leaderA.resign();
        const leaderB = await campaignB.promise;
        await eventually(() => seen[seen.length - 1] === 'b', 'observe() to report b after a resigned');
        expect(lostA()).toBeUndefined();

        const lostB = recordLost(leaderB);
        const campaignA2 = a.election(name, TTL).campaign('a2');
        await b.close();
        await eventually(() => lostB(), "the closed leader's lost$", 20_000);
        const leaderA2 = await campaignA2;
        await eventually(() => seen[seen.length - 1] === 'a2', 'observe() to report a2', 20_000);

        await leaderA2.resign();
        await eventually(() => seen.length > 0 && seen[seen.length - 1] === undefined, 'no leader after resign');
        expect(dedupe(seen.filter((v) => v !== undefined))).toEqual(['a', 'b', 'a2']);
      } finally {
        observing.unsubscribe();
      }
    }, 60_000);

    it('a campaigner wins at once when nobody leads, and observe() starts with the leader', async () => {
      const store = await fixture.open();
      const name = uniquePrefix('solo').slice(1, -1).replace(/\//g, '-');
      const leadership = await store.election(name, TTL).campaign('only');
      const seen: (string | undefined)[] = [];
      const observing = store
        .election(name, TTL)
        .observe()
        .subscribe((v) => seen.push(v));
      try {
        await eventually(() => seen.length > 0, 'observe() to report');
        expect(seen[0]).toBe('only');
        await leadership.resign();
        await eventually(() => seen[seen.length - 1] === undefined, 'observe() to report no leader');
      } finally {
        observing.unsubscribe();
      }
    });

    it('fencing: a deposed leader that still believes it leads lands no write; the new one does', async () => {
      const a = await fixture.open();
      const b = await fixture.openPeer(a);
      const name = uniquePrefix('fence').slice(1, -1).replace(/\//g, '-');
      const key = `${uniquePrefix('fenced')}k`;
      const leaderA = await a.election(name, TTL).campaign('a');
      const asA = fencedStore(a, leaderA.fence);
      const first = await asA.txn([{ op: 'create', key, value: 'from a' }]);
      expect(first.succeeded).toBe(true);

      // A is paused past its lease: its election key goes (here: deleted, as expiry would) and B leads
      await b.txn([{ op: 'delete', key: leaderA.fence.key }]);
      const leaderB = await b.election(name, TTL).campaign('b');
      const asB = fencedStore(b, leaderB.fence);
      const byB = await asB.txn([{ op: 'update', key, value: 'from b', revision: first.revision }]);
      expect(byB.succeeded).toBe(true);

      // A wakes up: whatever it sends is refused as a whole, even a write that would otherwise hold
      await expect(
        asA.txn([
          { op: 'put', key, value: 'late from a' },
          { op: 'create', key: `${key}-new`, value: 'x' },
        ]),
      ).rejects.toBeInstanceOf(LeadershipLostError);
      await expect(asA.txn([{ op: 'update', key, value: 'late from a', revision: byB.revision }])).rejects.toThrow(/not the leader any more/);
      expect(await a.get(key)).toMatchObject({ value: 'from b', modRevision: byB.revision });
      expect(await a.get(`${key}-new`)).toBeUndefined();
      // the plain store says why: the guard's key was another's
      const raw = await a.txn([
        { op: 'put', key, value: 'x' },
        { op: 'guard', ...leaderA.fence },
      ]);
      expect(raw).toMatchObject({ succeeded: false, conflicts: [{ key: leaderA.fence.key, reason: 'fenced' }] });
      // a guard on a key that exists but was created at another revision fails too
      const other = await b.txn([{ op: 'guard', key: leaderB.fence.key, createRevision: leaderB.fence.createRevision + 1 }]);
      expect(other.conflicts).toEqual([{ key: leaderB.fence.key, reason: 'fenced' }]);
      expect((await b.txn([{ op: 'guard', ...leaderB.fence }])).succeeded).toBe(true);
      await leaderB.resign();
      await leaderA.resign().catch(() => undefined);
    }, 30_000);
  });
}

function recordLost(leadership: Leadership): () => string | undefined {
  let reason: string | undefined;
  leadership.lost$.subscribe((r) => (reason = r));
  return () => reason;
}

function settled<T>(promise: Promise<T>): { promise: Promise<T>; state: 'pending' | 'fulfilled' | 'rejected' } {
  const tracker = { promise, state: 'pending' as 'pending' | 'fulfilled' | 'rejected' };
  promise.then(
    () => (tracker.state = 'fulfilled'),
    () => (tracker.state = 'rejected'),
  );
  return tracker;
}

function dedupe<T>(values: T[]): T[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1]);
}
