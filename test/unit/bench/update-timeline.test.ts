// bench:update's per-batch timeline, from the tasks a rolling update leaves behind.
import type { Task } from '../../../src/api/objects.js';
import { formatTimeline, updateTimeline } from '../../../src/bench/update-timeline-plan.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
const task = (slot: number, image: string, desiredState: string, created: number, last: number): Task =>
  ({
    kind: 'Task',
    metadata: { name: `${image}-${slot}`, namespace: 's', creationTimestamp: iso(created) },
    spec: { slot, desiredState, template: { image } },
    status: { state: desiredState === 'running' ? 'running' : 'shutdown', timestamp: iso(last) },
  }) as unknown as Task;

test('two batches of two: stop, create and start per batch, in the order the new tasks were made', () => {
  const tasks = [
    task(1, 'a', 'shutdown', -60, 1.0),
    task(2, 'a', 'shutdown', -60, 1.2),
    task(3, 'a', 'shutdown', -60, 4.0),
    task(4, 'a', 'shutdown', -60, 4.1),
    task(1, 'b', 'running', 1.3, 2.5),
    task(2, 'b', 'running', 1.3, 2.6),
    task(3, 'b', 'running', 4.2, 5.0),
    task(4, 'b', 'running', 4.2, 5.5),
  ];
  const rows = updateTimeline(tasks, T0, (t) => t.spec.template.image === 'b', 2);
  expect(rows).toEqual([
    { slots: [1, 2], oldStopped: 1.2, created: 1.3, running: 2.6 },
    { slots: [3, 4], oldStopped: 4.1, created: 4.2, running: 5.5 },
  ]);
  const lines = formatTimeline(rows);
  expect(lines).toHaveLength(3);
  // the second batch: made 1.6 s after the first ran (its monitor), stopped before it was made
  // here (0.1 s earlier), running 1.4 s after the stop
  expect(lines[2].split(/\s+/).slice(-3)).toEqual(['1.60', '-0.10', '1.40']);
});

test('tasks made before the update (history of earlier rollouts) are not batches', () => {
  const tasks = [task(1, 'b', 'running', -10, -5)];
  expect(updateTimeline(tasks, T0, (t) => t.spec.template.image === 'b', 5)).toEqual([]);
});
