// The scheduler's rounds and triggers at scale: which pending tasks a round takes, and which task
// changes wake the scheduler at all.
import type { Task, TaskState } from '../../../src/api/objects.js';
import { mayNeedScheduling, PLACEMENTS_PER_ROUND, roundOf } from '../../../src/manager/scheduler-controller.js';
import { PENDING_MESSAGE } from '../../../src/orchestrator/new-task.js';

const task = (name: string, state: TaskState, message = PENDING_MESSAGE): Task =>
  ({ kind: 'Task', metadata: { name, namespace: 's' }, spec: { desiredState: 'running' }, status: { state, message, timestamp: '' } }) as unknown as Task;

test('a round takes every pending task when they are few', () => {
  const pending = [task('a', 'pending'), task('b', 'pending', 'no suitable node')];
  expect(roundOf(pending)).toEqual(pending);
});

test('a round of many takes PLACEMENTS_PER_ROUND, tasks never tried before those that fit nowhere', () => {
  const tried = Array.from({ length: PLACEMENTS_PER_ROUND }, (_, i) => task(`t${i}`, 'pending', 'no suitable node (1 node not available)'));
  const fresh = Array.from({ length: 10 }, (_, i) => task(`f${i}`, 'pending'));
  const round = roundOf([...tried, ...fresh]);
  expect(round).toHaveLength(PLACEMENTS_PER_ROUND);
  expect(round.slice(0, 10).map((t) => t.metadata.name)).toEqual(fresh.map((t) => t.metadata.name));
});

test.each([
  ['a new pending task', undefined, 'pending', true],
  ['an agent progress report', 'assigned', 'preparing', false],
  ['a task turning running', 'starting', 'running', false],
  ['a task that ended (its resources are free)', 'running', 'failed', true],
  ['a task deleted while it ran', 'running', undefined, true],
  ['an ended task deleted (history pruned)', 'shutdown', undefined, false],
] as const)('%s: %p → %p wakes the scheduler: %p', (_what, before, after, wakes) => {
  const change = {
    key: 'k',
    type: after ? ('upsert' as const) : ('delete' as const),
    object: after ? task('x', after) : undefined,
    old: before ? task('x', before) : undefined,
  };
  expect(mayNeedScheduling(change)).toBe(wakes);
});
