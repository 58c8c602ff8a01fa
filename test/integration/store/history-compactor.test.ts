// The manager compacts etcd's history (src/manager/history-compactor.ts): each interval, to the
// revision the store had one interval earlier. Real etcd (its default: nothing compacts it).
import { historyCompactor, needsCompaction } from '../../../src/manager/history-compactor.js';
import { openEtcdStore } from '../../../src/store/etcd.js';
import type { Store } from '../../../src/store/store.js';
import { EtcdProcess } from './etcd-process.js';
import { eventually, uniquePrefix, WatchRecorder } from './helpers.js';

let etcd: EtcdProcess;
let store: Store;
beforeAll(async () => {
  etcd = await EtcdProcess.start();
  store = await openEtcdStore([etcd.endpoint]);
}, 30_000);
afterAll(async () => {
  await store?.close();
  await etcd?.stop();
});

it('is for etcd only: the embedded store compacts itself', () => {
  expect(needsCompaction(store)).toBe(true);
  expect(needsCompaction({ endpoint: 'sqlite:///var/lib/stackd/state.db' } as Store)).toBe(false);
});

it('compacts to the revision of one interval earlier, and keeps what came since', async () => {
  const p = uniquePrefix('history');
  const first = await store.txn([{ op: 'put', key: `${p}a`, value: '1' }]);
  const compactions: number[] = [];
  const stop = new AbortController();
  const running = historyCompactor(store, 1000, (m) => {
    const at = /compacted to revision (\d+)/.exec(m);
    if (at) compactions.push(Number(at[1]));
  }).start(stop.signal);
  try {
    // a write per 100 ms, so each interval has its own revision
    const writer = setInterval(() => void store.txn([{ op: 'put', key: `${p}a`, value: String(Date.now()) }]), 100);
    try {
      // the first tick notes the revision, the second compacts to it (the first write's, or
      // just after), the third to the second's
      await eventually(() => compactions.some((r) => r > first.revision), 'a compaction past the first write', 10_000);
    } finally {
      clearInterval(writer);
    }
    const target = compactions.at(-1)!;
    expect(compactions[0]).toBeGreaterThanOrEqual(first.revision);
    // compacted past the first write: a watch from there relists
    const old = new WatchRecorder(store.watch(p, first.revision));
    await eventually(() => old.completed || old.error, 'the compacted watch to end');
    expect(old.messages).toEqual([{ type: 'relist', reason: expect.any(String) }]);
    // ... but not the interval since: the newest revision is still watchable
    const latest = await store.list(p);
    const recent = new WatchRecorder(store.watch(p, latest.revision));
    await recent.waitForEvents(1);
    expect(recent.messages[0]?.type).toBe('events');
    recent.stop();
    // one interval's history: the revision compacted to was written about a second before
    expect(target).toBeLessThan(latest.revision);
  } finally {
    stop.abort();
    await running;
  }
});
