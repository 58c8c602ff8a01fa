// `stackctl ps`: each slot's first row is the task the manager wants running, its history below.
import { taskRows } from '../../../src/views/rows.js';
import { service, task } from '../orchestrator/fixtures.js';

const svc = service('web');
const names = (rows: { id: string; name: string }[]) => rows.map((r) => `${r.name} ${r.id}`);

it("a replacement on another node is the slot's main row, above the older task it replaced", () => {
  // the old task ran on node "a", which sorts first by name; its replacement landed on node "b"
  const old = task(svc, 'old', { slot: 1, node: 'a', created: 0, desired: 'shutdown', state: 'shutdown' });
  const replacement = task(svc, 'new', { slot: 1, node: 'b', created: 10 });
  const other = task(svc, 'two', { slot: 2, node: 'b', created: 0 });
  expect(names(taskRows([old, other, replacement]))).toEqual(['app_web.1 new', '\\_ app_web.1 old', 'app_web.2 two']);
});

it('the task wanted running comes first even when a shut-down one is newer (clock skew, a re-created slot)', () => {
  const running = task(svc, 'run', { slot: 1, node: 'a', created: 5 });
  const stopped = task(svc, 'gone', { slot: 1, node: 'a', created: 9, desired: 'shutdown', state: 'shutdown' });
  expect(names(taskRows([stopped, running]))).toEqual(['app_web.1 run', '\\_ app_web.1 gone']);
});

it('a global service has a slot per node', () => {
  const g = service('agent', { mode: 'global' } as never);
  const onB = task(g, 'tb', { node: 'b' });
  const onA = task(g, 'ta', { node: 'a' });
  const oldA = task(g, 'ta0', { node: 'a', created: -5, desired: 'shutdown', state: 'shutdown' });
  expect(names(taskRows([onB, oldA, onA]))).toEqual(['app_agent.a ta', '\\_ app_agent.a ta0', 'app_agent.b tb']);
});
