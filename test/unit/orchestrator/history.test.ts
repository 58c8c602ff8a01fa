import type { Task } from '../../../src/api/objects.js';
import { planTaskHistory } from '../../../src/orchestrator/history.js';
import { service, task, type TaskOpts } from './fixtures.js';

const web = service('web', { deploy: { replicas: 2 } });
const agent = service('agent', { deploy: { mode: 'global' } });
/** n finished tasks in one slot, t0 oldest, created at 0..n-1 */
const finished = (n: number, o: TaskOpts, prefix = 't') =>
  Array.from({ length: n }, (_, i) => task(web, `${prefix}${i}`, { state: 'failed', desired: 'shutdown', created: i, ...o }));

describe('planTaskHistory', () => {
  const cases: Array<[string, Task[], number | undefined, string[]]> = [
    ['keeps 5 finished per slot by default', finished(7, { slot: 1 }), undefined, ['t0', 't1']],
    ['nothing to do under the limit', finished(5, { slot: 1 }), undefined, []],
    ['counts slots separately', [...finished(6, { slot: 1 }, 'a'), ...finished(6, { slot: 2 }, 'b')], undefined, ['a0', 'b0']],
    ['a custom limit', finished(4, { slot: 1 }), 1, ['t0', 't1', 't2']],
    [
      'global: per node',
      [...finished(6, { node: 'n1' }, 'a').map((t) => ({ ...t, spec: { ...t.spec, service: 'agent' } })), ...finished(2, { node: 'n2' }, 'b')],
      undefined,
      ['a0'],
    ],
    [
      'the same slot number of two services is two slots',
      [...finished(5, { slot: 1 }, 'a'), ...finished(5, { slot: 1 }, 'b').map((t) => ({ ...t, spec: { ...t.spec, service: 'api' } }))],
      undefined,
      [],
    ],
    ['live tasks are not history and do not count', [...finished(5, { slot: 1 }), task(web, 'live', { slot: 1, created: 9 })], undefined, []],
    [
      'never deletes a task still wanted running, even if finished',
      [task(web, 'cur', { slot: 1, state: 'failed', created: -1 }), ...finished(5, { slot: 1 })],
      undefined,
      [],
    ],
    [
      'deletes a shut-down task that never reached a node',
      [task(web, 'p', { slot: 1, state: 'pending', desired: 'shutdown' }), task(web, 'n', { slot: 2, state: 'new', desired: 'shutdown' })],
      undefined,
      ['n', 'p'],
    ],
    ['keeps a pending task still wanted', [task(web, 'p', { slot: 1, state: 'pending' })], undefined, []],
  ];
  it.each(cases)('%s', (_name, tasks, keep, expected) => {
    expect(planTaskHistory(tasks, keep)).toEqual(expected);
  });

  it('global tasks use the node as slot', () => {
    const tasks = Array.from({ length: 7 }, (_, i) => task(agent, `g${i}`, { node: 'n1', state: 'complete', desired: 'shutdown', created: i }));
    expect(planTaskHistory(tasks)).toEqual(['g0', 'g1']);
  });
});
