// Which task changes wake the network controller (at scale, most changes are agents' progress
// reports, which cannot change which nodes want a slot on a network).
import type { Task, TaskState } from '../../../src/api/objects.js';
import { mayChangeNodeSlots } from '../../../src/manager/network-controller.js';

const task = (state: TaskState, nodeName?: string, desiredState = 'running'): Task =>
  ({ kind: 'Task', metadata: { name: 'x', namespace: 's' }, spec: { desiredState, nodeName }, status: { state, timestamp: '' } }) as unknown as Task;

test.each([
  ['a new task, not yet on a node', undefined, task('pending'), false],
  ['a new task made on its node (global service)', undefined, task('pending', 'n1'), true],
  ['a pending task deleted', task('pending'), undefined, false],
  ['a task assigned to a node', task('pending'), task('assigned', 'n1'), true],
  ['an agent progress report', task('assigned', 'n1'), task('preparing', 'n1'), false],
  ['a task turning running', task('starting', 'n1'), task('running', 'n1'), false],
  ['a task the manager shuts down', task('running', 'n1'), task('running', 'n1', 'shutdown'), true],
  ['a task deleted', task('running', 'n1'), undefined, true],
] as const)('%s wakes the network controller: %p', (_what, old, object, wakes) => {
  expect(mayChangeNodeSlots({ key: 'k', type: object ? 'upsert' : 'delete', object, old })).toBe(wakes);
});
