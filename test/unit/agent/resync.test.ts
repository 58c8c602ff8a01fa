// The relisting resync leaves a task out only when a reconcile would plan nothing for it: checked
// against planStep over every wish, reported state and kind of container.
import { TASK_STATE_ORDER, type Task, type TaskState } from '../../../src/api/objects.js';
import { planStep } from '../../../src/agent/plan-step.js';
import { isSettled, unsettled } from '../../../src/agent/resync.js';
import type { ManagedContainer, ObservedContainer } from '../../../src/runtime/types.js';
import { agentTask } from './fixtures.js';

const task = (name: string, desired: 'running' | 'stopped' | 'shutdown', healthcheck: boolean): Task => agentTask(desired, { name, healthcheck });

interface Kind {
  state: string;
  health?: 'starting' | 'healthy' | 'unhealthy';
  exitCode?: number;
}
const KINDS: (Kind | undefined)[] = [
  undefined,
  { state: 'created' },
  { state: 'running' },
  { state: 'running', health: 'starting' },
  { state: 'running', health: 'healthy' },
  { state: 'running', health: 'unhealthy' },
  { state: 'paused' },
  { state: 'restarting' },
  { state: 'exited', exitCode: 0 },
  { state: 'exited', exitCode: 1 },
  { state: 'dead', exitCode: 137 },
];

/** The same container as a listing shows it and as an inspect does. */
function views(name: string, k: Kind): { listed: ManagedContainer; observed: ObservedContainer } {
  const summary = k.state === 'running' ? `Up 3 seconds${k.health ? ` (${k.health === 'starting' ? 'health: starting' : k.health})` : ''}` : `${k.state}`;
  const task = { stack: 's', service: 'web', taskId: name, slot: 1, node: 'n1', specHash: 'h', cluster: 'c' };
  return {
    listed: { id: 'c1', name: `s_web.1.${name}`, labels: {}, task, state: k.state, status: summary },
    observed: {
      id: 'c1',
      name: `s_web.1.${name}`,
      image: 'i',
      labels: {},
      status: k.state,
      running: k.state === 'running',
      oomKilled: false,
      ...(k.health ? { health: k.health } : {}),
      ...(k.exitCode !== undefined ? { exitCode: k.exitCode } : {}),
    },
  };
}

it('a task the listing shows settled is one a reconcile would plan no step for', () => {
  let settled = 0;
  for (const desired of ['running', 'stopped', 'shutdown'] as const)
    for (const healthcheck of [false, true])
      for (const reported of TASK_STATE_ORDER as readonly TaskState[])
        for (const kind of KINDS) {
          const t = task('t1', desired, healthcheck);
          const v = kind && views('t1', kind);
          if (!isSettled(t, reported, v?.listed)) continue;
          settled++;
          const step = planStep(t, v?.observed, reported);
          expect({ desired, healthcheck, reported, kind, step: step.type }).toEqual({ desired, healthcheck, reported, kind, step: 'none' });
        }
  // and it does leave tasks out: the steady ones (running as wished; ended, container not running)
  expect(settled).toBeGreaterThan(100);
});

it('leaves out running and ended tasks, never one not yet reported, one without its container or one to stop', () => {
  const up = views('a', { state: 'running' }).listed;
  const exited = views('b', { state: 'exited', exitCode: 0 }).listed;
  const unhealthy = views('e', { state: 'running', health: 'unhealthy' }).listed;
  const reported: Record<string, TaskState> = { a: 'running', b: 'complete', c: 'running', d: 'running', e: 'running', f: 'shutdown' };
  const tasks = [
    task('a', 'running', false), // running as reported: settled
    task('b', 'running', false), // ended, container exited: settled
    task('c', 'running', false), // reported running, no container: to report failed
    task('d', 'shutdown', false), // wished shut down, reported running: to report shutdown
    task('e', 'running', true), // unhealthy: to stop
    task('f', 'shutdown', false), // ended, no container: settled
    task('g', 'running', false), // never reported
  ];
  const got = unsettled(new Map(tasks.map((t) => [t.metadata.name, t])), [up, exited, unhealthy], (key) => reported[key]);
  expect(got).toEqual(['c', 'd', 'e', 'g']);
});
