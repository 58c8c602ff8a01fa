// The EventRecorder on both Store backends: repeats counted on one key, a new recorder (a new
// leader) carries the count on, reads filter, a follow sees new events, and events expire with
// their shared lease.
import { firstValueFrom, take, toArray } from 'rxjs';
import { EVENT_PREFIX } from '../../../src/events/event.js';
import { followEvents, listEvents } from '../../../src/events/read.js';
import { EventRecorder } from '../../../src/events/recorder.js';
import { fencedStore } from '../../../src/store/fenced.js';
import { openStore } from '../../../src/store/open.js';
import type { Store } from '../../../src/store/store.js';
import { storeUrls } from '../../helpers/cli.js';
import { eventually } from '../store/helpers.js';

describe.each(storeUrls())('events on the %s store', (_, url) => {
  let store: Store;
  const stack = `evrec${process.pid}${Date.now().toString(36)}`;
  const web = { kind: 'Service' as const, stack, name: 'web' };
  const opened: EventRecorder[] = [];
  const recorder = (ttlMs = 3_600_000) => {
    const r = new EventRecorder(store, { ttlMs, throttleMs: 100, source: { component: 'manager', host: 'test' } });
    opened.push(r);
    return r;
  };
  beforeAll(async () => {
    store = await openStore(url());
  });
  afterAll(async () => {
    for (const r of opened) await r.close();
    await store.close();
  });

  it('counts repeats on one event, and a new recorder carries the count on', async () => {
    const r = recorder();
    for (let i = 0; i < 5; i++) r.record(web, 'Warning', 'TaskFailed', 'web.1 failed: exit code 3');
    r.record(web, 'Normal', 'RolloutStarted', 'rollout to revision 2');
    await eventually(async () => {
      const { events } = await listEvents(store, { stack });
      return events.length === 2 && events.find((e) => e.reason === 'TaskFailed')?.count === 5;
    }, 'five failures counted on one event');

    const next = recorder(); // what a new leader does: its memory is empty
    next.record(web, 'Warning', 'TaskFailed', 'web.1 failed: exit code 3');
    await next.flush();
    const { events } = await listEvents(store, { stack, type: 'Warning' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ involvedObject: web, type: 'Warning', reason: 'TaskFailed', count: 6, source: { component: 'manager' } });
    expect(Date.parse(events[0].lastTimestamp)).toBeGreaterThanOrEqual(Date.parse(events[0].firstTimestamp));
    expect((await store.list(`${EVENT_PREFIX}${stack}/`)).items).toHaveLength(2);
  });

  it('a follow lists what is there, then streams a new event', async () => {
    const r = recorder();
    const other = { kind: 'Service' as const, stack, name: 'follow' };
    r.record(other, 'Normal', 'RolloutStarted', 'first');
    await r.flush();
    const seen = firstValueFrom(followEvents(store, { object: other }).pipe(take(2), toArray()));
    setTimeout(() => r.record(other, 'Normal', 'RolloutCompleted', 'second'), 200);
    expect((await seen).map((e) => e.reason)).toEqual(['RolloutStarted', 'RolloutCompleted']);
  });

  it('events expire with their lease after the TTL, as a few lease expiries, not deletes one by one', async () => {
    const r = recorder(2000);
    const short = { kind: 'Service' as const, stack: `${stack}x`, name: 'short' };
    for (let i = 0; i < 20; i++) r.record(short, 'Warning', 'TaskFailed', `failure ${i}`);
    await r.flush();
    const written = (await store.list(`${EVENT_PREFIX}${stack}x/`)).items;
    expect(written).toHaveLength(20);
    expect(new Set(written.map((kv) => kv.lease)).size).toBe(1);
    await eventually(async () => (await store.list(`${EVENT_PREFIX}${stack}x/`)).items.length === 0, 'the events to expire', 30_000);
  }, 40_000);

  /** `store` whose transactions are counted, and fail with `fail()` when it says so */
  const counting = (inner: Store, fail: () => Error | undefined) => {
    const calls = { txn: 0 };
    const wrapped: Store = {
      endpoint: inner.endpoint,
      election: (name, ttl) => inner.election(name, ttl),
      compact: (revision) => inner.compact(revision),
      close: () => inner.close(),
      get: (key) => inner.get(key),
      list: (prefix) => inner.list(prefix),
      watch: (prefix, from) => inner.watch(prefix, from),
      grantLease: (ttl, opts) => inner.grantLease(ttl, opts),
      txn: async (ops) => {
        calls.txn++;
        const err = fail();
        if (err) throw err;
        return inner.txn(ops);
      },
    };
    return { store: wrapped, calls };
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('a deposed leader records nothing more: its refused write is dropped, not retried', async () => {
    const { store: under, calls } = counting(store, () => undefined);
    const deposed = fencedStore(under, { key: `/stackd/elections/${stack}/gone`, createRevision: 1 });
    const r = new EventRecorder(deposed, { throttleMs: 100, source: { component: 'manager', host: 'test' } });
    opened.push(r);
    r.record(web, 'Warning', 'TaskFailed', 'deposed');
    await sleep(1500);
    expect(calls.txn).toBe(1);
    expect((await listEvents(store, { stack })).events.some((e) => e.message === 'deposed')).toBe(false);
  });

  it('a failed write is retried after a backoff (1 s, then doubling), not at once', async () => {
    let down = true;
    const { store: flaky, calls } = counting(store, () => (down ? new Error('store unreachable') : undefined));
    const r = new EventRecorder(flaky, { throttleMs: 100, source: { component: 'manager', host: 'test' } });
    opened.push(r);
    r.record(web, 'Normal', 'RolloutStarted', 'after an outage');
    await sleep(1500);
    expect(calls.txn).toBeLessThanOrEqual(2); // the first, and one after 1 s (a retry at once: thousands)
    down = false;
    await eventually(
      async () => (await listEvents(store, { stack })).events.some((e) => e.message === 'after an outage'),
      'the event written once the store answers',
      10_000,
    );
  });
});
