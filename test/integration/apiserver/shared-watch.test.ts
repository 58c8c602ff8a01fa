// The API server's shared watches (src/apiserver/shared-watch.ts) on each real Store backend: API
// watchers of one prefix share one Store watch; a watcher whose start the stream has passed gets the
// kept messages first, one it covers no longer gets its own Store watch, one ahead of it only
// events from its start; the last one leaving closes the Store watch; a compaction tells everyone.
import type { Observable } from 'rxjs';
import { SharedWatches } from '../../../src/apiserver/shared-watch.js';
import { ForwardingStore } from '../../../src/store/forwarding-store.js';
import { openStore } from '../../../src/store/open.js';
import type { Store, WatchMessage } from '../../../src/store/store.js';
import { storeUrls } from '../../helpers/cli.js';
import { uniquePrefix, WatchRecorder } from '../store/helpers.js';

/** A Store that counts the watches it opens and how many are open. */
class CountingStore extends ForwardingStore {
  opened = 0;
  open = 0;
  watch(prefix: string, fromRevision: number): Observable<WatchMessage> {
    const inner = super.watch(prefix, fromRevision);
    return new (inner.constructor as typeof import('rxjs').Observable<WatchMessage>)((subscriber) => {
      this.opened++;
      this.open++;
      const sub = inner.subscribe(subscriber);
      return () => {
        this.open--;
        sub.unsubscribe();
      };
    });
  }
}

describe.each(storeUrls())('shared API watches on the %s store', (_name, newUrl) => {
  let inner: Store;
  let store: CountingStore;
  let shared: SharedWatches;
  const recorders: WatchRecorder[] = [];
  const record = (prefix: string, from: number) => {
    const r = new WatchRecorder(shared.watch(prefix, from));
    recorders.push(r);
    return r;
  };
  const put = (key: string, value: string) => store.txn([{ op: 'put', key, value }]);

  beforeEach(async () => {
    inner = await openStore(newUrl());
    store = new CountingStore(inner);
    shared = new SharedWatches(store);
  });
  afterEach(async () => {
    for (const r of recorders.splice(0)) r.stop();
    await inner.close();
  });

  it('watchers of one prefix share one Store watch and see the same events in order', async () => {
    const p = uniquePrefix('shared');
    const { revision } = await store.list(p);
    const watchers = Array.from({ length: 5 }, () => record(p, revision + 1));
    for (let i = 0; i < 4; i++) await put(`${p}k${i}`, `v${i}`);
    for (const w of watchers) await w.waitForEvents(4);
    for (const w of watchers) expect(w.summary).toEqual(['put k0=v0', 'put k1=v1', 'put k2=v2', 'put k3=v3']);
    expect(store.opened).toBe(1);
    // another prefix is another stream
    record(uniquePrefix('other'), revision + 1);
    await new Promise(setImmediate); // (a stream subscribes to the Store after its first watcher joined)
    expect(store.opened).toBe(2);
  });

  it('a late watcher gets the kept events from its start, one ahead only its own, one too far back its own watch', async () => {
    const p = uniquePrefix('late');
    const { revision: r1 } = await put(`${p}a`, '1');
    const first = record(p, r1 + 1);
    const { revision: r2 } = await put(`${p}b`, '2');
    await first.waitForEvents(1);
    // started at b, which the stream delivered already: gets b from the kept messages, then c, d live
    const late = record(p, r2);
    // started after c, which the stream may not have delivered yet: nothing before its start
    const { revision: r3 } = await put(`${p}c`, '3');
    const ahead = record(p, r3 + 1);
    await put(`${p}d`, '4');
    await late.waitForEvents(3);
    await ahead.waitForEvents(1);
    expect(late.summary).toEqual(['put b=2', 'put c=3', 'put d=4']);
    expect(ahead.summary).toEqual(['put d=4']);
    expect(store.opened).toBe(1);
    // before the stream's start: a Store watch of its own, with everything from a on
    const before = record(p, r1);
    await before.waitForEvents(4);
    expect(before.summary).toEqual(['put a=1', 'put b=2', 'put c=3', 'put d=4']);
    expect(store.opened).toBe(2);
  });

  it('the last watcher leaving closes the Store watch; the next one opens a new one', async () => {
    const p = uniquePrefix('close');
    const { revision } = await store.list(p);
    const a = record(p, revision + 1);
    const b = record(p, revision + 1);
    await put(`${p}x`, '1');
    await a.waitForEvents(1);
    expect(store.open).toBe(1);
    a.stop();
    expect(store.open).toBe(1);
    b.stop();
    expect(store.open).toBe(0);
    const c = record(p, revision + 1);
    await c.waitForEvents(1);
    expect(c.summary).toEqual(['put x=1']);
    expect(store.opened).toBe(2);
  });

  it('a compaction past the stream tells every watcher to list again', async () => {
    const p = uniquePrefix('relist');
    const { revision } = await put(`${p}a`, '1');
    await put(`${p}a`, '2');
    const { revision: r } = await put(`${p}a`, '3');
    await store.compact(r);
    const [x, y] = [record(p, revision), record(p, revision)];
    for (const w of [x, y]) {
      await new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (w.completed) resolve(clearInterval(check));
          if (w.error) reject(w.error);
        }, 20);
      });
      expect(w.messages.map((m) => m.type)).toEqual(['relist']);
    }
    expect(store.opened).toBe(1);
  });
});
