import { parseEventsPath, sinceOf } from '../../../src/apiserver/events.js';
import { matches } from '../../../src/events/filter.js';
import { readFilter } from '../../../src/events/read.js';
import { parseSelectors, selects } from '../../../src/apiserver/selectors.js';
import { toTable } from '../../../src/apiserver/table.js';
import { newEvent } from '../../../src/events/event.js';

test.each<[string, ReturnType<typeof parseEventsPath>]>([
  ['/apis/stackd.io/v1/events', {}],
  ['/apis/stackd.io/v1/namespaces/shop/events', { namespace: 'shop' }],
  ['/apis/stackd.io/v1/namespaces/shop/events/service.web.1', { namespace: 'shop', name: 'service.web.1' }],
  // an event of a cluster-scoped object (a node's) by name: the empty namespace
  ['/apis/stackd.io/v1/events/node.n1.2', { namespace: '', name: 'node.n1.2' }],
  ['/apis/stackd.io/v1/namespaces/shop/events/a/b', undefined],
  ['/apis/stackd.io/v1/eventsx', undefined],
  ['/apis/stackd.io/v1/tasks', undefined],
])('%s', (path, want) => {
  expect(parseEventsPath(path)).toEqual(want);
});

test('the Table reads like kubectl get events: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; count, first seen, source and name with -o wide', () => {
  const first = new Date(Date.now() - 300_000);
  const ev = newEvent(
    'service.worker.ab',
    { kind: 'Service', stack: 'shop', name: 'worker' },
    'Warning',
    'TaskFailed',
    'worker.1 failed: exit code 3',
    { component: 'manager', host: 'm1' },
    first,
  );
  const repeated = { ...ev, count: 4, lastTimestamp: new Date(Date.now() - 42_000).toISOString() };
  const table = toTable('Event', [repeated], '7');
  expect(table.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
    ['Last Seen', 0],
    ['Type', 0],
    ['Reason', 0],
    ['Object', 0],
    ['Message', 0],
    ['Count', 1],
    ['First Seen', 1],
    ['Source', 1],
    ['Name', 1],
  ]);
  expect(table.rows[0].cells).toEqual([
    '42s',
    'Warning',
    'TaskFailed',
    'service/shop_worker',
    'worker.1 failed: exit code 3',
    4,
    '5m',
    'manager/m1',
    'service.worker.ab',
  ]);
});

test('sinceTime (RFC 3339) or sinceSeconds, as kubectl logs sends them; anything else is a 400', () => {
  const q = (text: string) => new URLSearchParams(text);
  expect(sinceOf(q(''))).toBeUndefined();
  expect(sinceOf(q('sinceTime=2026-12-06T20:16:27.5Z'))).toEqual(new Date('2026-12-06T20:16:27.500Z'));
  expect(sinceOf(q('sinceSeconds=90'), 100_000)).toEqual(new Date(10_000));
  expect(() => sinceOf(q('sinceTime=yesterday'))).toThrow(/sinceTime: expected an RFC 3339 time/);
  expect(() => sinceOf(q('sinceTime=1700000000'))).toThrow(/RFC 3339/);
  expect(() => sinceOf(q('sinceSeconds=-5'))).toThrow(/sinceSeconds: expected a whole number/);
  expect(() => sinceOf(q('sinceSeconds=5&sinceTime=2026-12-06T20:16:27Z'))).toThrow(/at most one/);
});

test("stackctl's event filter becomes the server's: what the server keeps is what the client keeps", () => {
  const at = (iso: string, type: 'Normal' | 'Warning', name: string, stack = 'shop') => ({
    ...newEvent(`service.${name}.x`, { kind: 'Service', stack, name }, type, 'R', 'm', { component: 'manager', host: 'm1' }, new Date(iso)),
  });
  const events = [
    at('2026-12-06T10:00:00Z', 'Warning', 'web'),
    at('2026-12-06T11:00:00Z', 'Normal', 'web'),
    at('2026-12-06T12:00:00Z', 'Warning', 'api'),
    at('2026-12-06T12:30:00Z', 'Warning', 'web', 'other'),
  ];
  const filters = [
    {},
    { type: 'Warning' as const },
    { since: new Date('2026-12-06T10:30:00Z') },
    { type: 'Warning' as const, since: new Date('2026-12-06T10:30:00Z') },
    { object: { kind: 'Service' as const, stack: 'shop', name: 'web' } },
  ];
  for (const f of filters) {
    const rf = readFilter(f);
    const query = new URLSearchParams({ ...(rf.fieldSelector ? { fieldSelector: rf.fieldSelector } : {}), ...(rf.sinceTime ? { sinceTime: rf.sinceTime } : {}) });
    const server = events.filter((e) => selects(parseSelectors(query), e as never) && matches(e, { since: sinceOf(query) }));
    expect(server).toEqual(events.filter((e) => matches(e, f)));
  }
  expect(readFilter({ type: 'Warning', since: new Date(0), stack: 'shop' })).toEqual({ fieldSelector: 'type=Warning', sinceTime: '1970-01-01T00:00:00.000Z' });
  expect(readFilter({ stack: 'shop' })).toEqual({});
});
