// Watches: replay from an old revision, live events, deletes, compaction, backend restarts.
import type { StoreFixture } from './conformance.js';
import { WatchRecorder, eventually, uniquePrefix } from './helpers.js';

export function describeWatchCases(fixture: StoreFixture): void {
  describe('watch', () => {
    const recorders: WatchRecorder[] = [];
    const record = (r: WatchRecorder) => {
      recorders.push(r);
      return r;
    };
    afterEach(() => {
      for (const r of recorders.splice(0)) r.stop();
    });

    it('replays every event from an old revision in order, then live ones', async () => {
      const store = await fixture.open();
      const p = uniquePrefix('replay');
      const first = await store.txn([{ op: 'put', key: `${p}a`, value: '1' }]);
      await store.txn([{ op: 'put', key: `${p}b`, value: '2' }]);
      await store.txn([{ op: 'put', key: `${uniquePrefix('other')}x`, value: 'elsewhere' }]);
      await store.txn([{ op: 'put', key: `${p}a`, value: '3' }]);
      const deleted = await store.txn([{ op: 'delete', key: `${p}b` }]);

      const watch = record(new WatchRecorder(store.watch(p, first.revision)));
      await watch.waitForEvents(4);
      const live = await store.txn([
        { op: 'put', key: `${p}c`, value: '4' },
        { op: 'put', key: `${p}d`, value: '5' },
      ]);
      const events = await watch.waitForEvents(6);

      expect(watch.summary).toEqual(['put a=1', 'put b=2', 'put a=3', 'delete b', 'put c=4', 'put d=5']);
      const revisions = events.map((e) => e.kv.modRevision);
      expect(revisions[0]).toBe(first.revision);
      expect(revisions[3]).toBe(deleted.revision);
      expect(revisions.slice(4)).toEqual([live.revision, live.revision]);
      expect([...revisions].sort((x, y) => x - y)).toEqual(revisions);

      // a message's revision is the last revision it carries
      for (const m of watch.messages) {
        if (m.type !== 'events') throw new Error(`unexpected ${m.type}`);
        expect(m.revision).toBe(m.events[m.events.length - 1].kv.modRevision);
      }
      expect(events[1].kv).toMatchObject({ key: `${p}b`, value: '2', createRevision: events[1].kv.modRevision });
      expect(events[3].kv).toMatchObject({ key: `${p}b`, value: '', modRevision: deleted.revision });
      expect(watch.completed).toBe(false);
    });

    it('delivers deletes, including those of a transaction', async () => {
      const store = await fixture.open();
      const p = uniquePrefix('deletes');
      const created = await store.txn([
        { op: 'put', key: `${p}a`, value: '1' },
        { op: 'put', key: `${p}b`, value: '2' },
      ]);
      const watch = record(new WatchRecorder(store.watch(p, created.revision + 1)));
      const removed = await store.txn([
        { op: 'delete', key: `${p}a`, revision: created.revision },
        { op: 'delete', key: `${p}b` },
      ]);
      const events = await watch.waitForEvents(2);
      expect(watch.summary).toEqual(['delete a', 'delete b']);
      expect(events.map((e) => e.kv.modRevision)).toEqual([removed.revision, removed.revision]);
    });

    it('after a compaction, a watch from a compacted revision gets relist and completes', async () => {
      const store = await fixture.open();
      const p = uniquePrefix('compact');
      const old = await store.txn([{ op: 'put', key: `${p}a`, value: '1' }]);
      await store.txn([{ op: 'put', key: `${p}a`, value: '2' }]);
      const kept = await store.txn([{ op: 'put', key: `${p}b`, value: '3' }]);
      await store.compact(kept.revision);

      const compacted = record(new WatchRecorder(store.watch(p, old.revision)));
      await eventually(() => compacted.completed || compacted.error, 'the compacted watch to complete');
      expect(compacted.error).toBeUndefined();
      expect(compacted.messages).toEqual([{ type: 'relist', reason: expect.any(String) }]);

      // history from the compaction revision on is still there
      const fromKept = record(new WatchRecorder(store.watch(p, kept.revision)));
      await fromKept.waitForEvents(1);
      expect(fromKept.summary).toEqual(['put b=3']);
    });

    if (fixture.harness.restart) {
      const restart = fixture.harness.restart.bind(fixture.harness);
      it('a restart of the backend during a watch loses no event and duplicates none', async () => {
        const store = await fixture.open();
        const p = uniquePrefix('restart');
        const start = await store.txn([{ op: 'put', key: `${p}k0`, value: '0' }]);
        const watch = record(new WatchRecorder(store.watch(p, start.revision)));
        for (let i = 1; i <= 3; i++) await store.txn([{ op: 'put', key: `${p}k${i}`, value: `${i}` }]);
        await watch.waitForEvents(2);

        await restart();
        for (let i = 4; i <= 6; i++) await store.txn([{ op: 'put', key: `${p}k${i}`, value: `${i}` }]);
        await store.txn([{ op: 'delete', key: `${p}k0` }]);
        await watch.waitForEvents(8);

        await restart();
        await store.txn([{ op: 'put', key: `${p}k7`, value: '7' }]);
        await watch.waitForEvents(9);

        expect(watch.summary).toEqual([...[0, 1, 2, 3, 4, 5, 6].map((i) => `put k${i}=${i}`), 'delete k0', 'put k7=7']);
        expect(watch.completed).toBe(false);
      }, 60_000);
    }
  });
}
