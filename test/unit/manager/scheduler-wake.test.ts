// Which task changes wake the scheduler at all (at scale, most changes are agents' progress reports).
import type { Task, TaskState } from '../../../src/api/objects.js';
import { mayNeedScheduling } from '../../../src/manager/scheduler-controller.js';
import { PENDING_MESSAGE } from '../../../src/orchestrator/new-task.js';

const task = (name: string, state: TaskState, message = PENDING_MESSAGE): Task =>
  ({ kind: 'Task', metadata: { name, namespace: 's' }, spec: { desiredState: 'running' }, status: { state, message, timestamp: '' } }) as unknown as Task;

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
