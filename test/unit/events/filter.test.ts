// The read filter shared by the CLI, the API server and the console.
import { newEvent } from '../../../src/events/event.js';
import { matches, parseEventType, sortEvents } from '../../../src/events/filter.js';

const src = { component: 'manager' };
const at = (iso: string) => new Date(iso);
const web = newEvent('a', { kind: 'Service', stack: 'accounts', name: 'web' }, 'Warning', 'TaskFailed', 'x', src, at('2026-12-05T20:00:00Z'));
const node = newEvent('b', { kind: 'Node', stack: '', name: 'ev1' }, 'Normal', 'NodeReady', 'y', src, at('2026-12-05T20:05:00Z'));
const rollout = newEvent('c', { kind: 'Service', stack: 'billing', name: 'api' }, 'Normal', 'RolloutStarted', 'z', src, at('2026-12-05T19:00:00Z'));

describe('matches', () => {
  it.each([
    ['no filter', {}, ['a', 'b', 'c']],
    ['since', { since: at('2026-12-05T20:00:00Z') }, ['a', 'b']],
    ['stack', { stack: 'accounts' }, ['a']],
    ['cluster-scoped', { stack: '' }, ['b']],
    ['type', { type: 'Normal' as const }, ['b', 'c']],
    ['object', { object: { kind: 'Service' as const, stack: 'billing', name: 'api' } }, ['c']],
    ['object of another kind', { object: { kind: 'Task' as const, stack: 'billing', name: 'api' } }, []],
  ])('%s', (_, f, names) => {
    expect([web, node, rollout].filter((e) => matches(e, f)).map((e) => e.metadata.name)).toEqual(names);
  });
});

test('sortEvents: oldest last occurrence first', () => {
  expect(sortEvents([node, web, rollout]).map((e) => e.metadata.name)).toEqual(['c', 'a', 'b']);
});

test.each([
  ['warning', 'Warning'],
  ['Warning', 'Warning'],
  ['normal', 'Normal'],
  ['error', undefined],
])('parseEventType(%s)', (input, expected) => {
  expect(parseEventType(input)).toBe(expected);
});
