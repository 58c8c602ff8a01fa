// The EventRecorder on both Store backends: repeats counted on one key, a new recorder (a new
// leader) carries the count on, reads filter, a follow sees new events, and events expire with
// their shared lease.
import { firstValueFrom, take, toArray } from 'rxjs';
import { EVENT_PREFIX } from '../../../src/events/event.js';
import { followEvents, listEvents } from '../../../src/events/read.js';
import { EventRecorder } from '../../../src/events/recorder.js';
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
});
