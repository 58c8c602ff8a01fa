import { parseEventsPath } from '../../../src/apiserver/events.js';
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
