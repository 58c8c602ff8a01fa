import type { Node, Service, Task } from '../../../src/api/objects.js';
import { eligibleNodes, planGlobal, planGlobalDetailed } from '../../../src/orchestrator/global.js';
import { at, counter, node, service, summarize, task, T0 } from './fixtures.js';

const agent = (constraints: string[] = []) => service('agent', { deploy: { mode: 'global', placement: { constraints } } });

describe('planGlobal', () => {
  const cases: Array<[string, Service, Node[], (s: Service) => Task[], string[]]> = [
    ['one task per ready active node', agent(), [node('n1'), node('n2')], () => [], ['create node=n1 pending attempt=0', 'create node=n2 pending attempt=0']],
    ['a node that joins gets a task', agent(), [node('n1'), node('n2')], (s) => [task(s, 'a', { node: 'n1' })], ['create node=n2 pending attempt=0']],
    ['nothing to do when every node runs one', agent(), [node('n1'), node('n2')], (s) => [task(s, 'a', { node: 'n1' }), task(s, 'b', { node: 'n2' })], []],
    ['a paused node keeps its task', agent(), [node('n1', { availability: 'pause' })], (s) => [task(s, 'a', { node: 'n1' })], []],
    ['a paused node gets no new task', agent(), [node('n1', { availability: 'pause' })], () => [], []],
    ['a paused node gets no restart', agent(), [node('n1', { availability: 'pause' })], (s) => [task(s, 'a', { node: 'n1', state: 'failed' })], []],
    ['a drained node loses its task', agent(), [node('n1', { availability: 'drain' })], (s) => [task(s, 'a', { node: 'n1' })], ['setDesired a']],
    ['a down node keeps its task untouched', agent(), [node('n1', { state: 'down' })], (s) => [task(s, 'a', { node: 'n1' })], []],
    ['a down node gets no new task', agent(), [node('n1', { state: 'down' }), node('n2', { state: 'unknown' })], () => [], []],
    ['a removed node: its task is shut down', agent(), [], (s) => [task(s, 'a', { node: 'gone' })], ['setDesired a']],
    [
      'constraints pick the nodes',
      agent(['node.labels.gpu==yes']),
      [node('n1', { labels: { gpu: 'yes' } }), node('n2')],
      () => [],
      ['create node=n1 pending attempt=0'],
    ],
    ['a node whose labels no longer match loses its task', agent(['node.labels.gpu==yes']), [node('n1')], (s) => [task(s, 'a', { node: 'n1' })], ['setDesired a']],
    [
      'a label added to a node brings a task',
      agent(['node.labels.gpu==yes']),
      [node('n1', { labels: { gpu: 'yes' } })],
      () => [],
      ['create node=n1 pending attempt=0'],
    ],
    ['invalid constraints start nothing and stop nothing', agent(['bogus']), [node('n1'), node('n2')], (s) => [task(s, 'a', { node: 'n1' })], []],
    [
      'a task shut down by the manager is replaced on an eligible node',
      agent(),
      [node('n1')],
      (s) => [task(s, 'a', { node: 'n1', desired: 'shutdown', state: 'running' })],
      ['create node=n1 pending attempt=0'],
    ],
    [
      'duplicates on one node: the newest stays',
      agent(),
      [node('n1')],
      (s) => [task(s, 'old', { node: 'n1', created: 1 }), task(s, 'new', { node: 'n1', created: 2 })],
      ['setDesired old'],
    ],
    [
      'a never-assigned task on a drained node is deleted',
      agent(),
      [node('n1', { availability: 'drain' })],
      (s) => [task(s, 'a', { node: 'n1', state: 'pending' })],
      ['delete a'],
    ],
    [
      'a failed task restarts on its node after the delay',
      agent(),
      [node('n1')],
      (s) => [task(s, 'a', { node: 'n1', state: 'failed', since: -10 })],
      ['create node=n1 pending attempt=1', 'setDesired a'],
    ],
  ];
  it.each(cases)('%s', (_name, svc, nodes, tasks, expected) => {
    expect(summarize(planGlobal(svc, tasks(svc), nodes, T0, counter()))).toEqual(expected);
  });

  it('sets nodeName at creation and no slot', () => {
    const [create] = planGlobal(agent(), [], [node('n1')], T0, counter());
    expect(create.type === 'create' && create.task.spec).toMatchObject({ nodeName: 'n1', desiredState: 'running' });
    expect(create.type === 'create' && create.task.spec.slot).toBeUndefined();
  });

  it('waits for the restart delay and says when', () => {
    const svc = agent();
    const plan = planGlobalDetailed(svc, [task(svc, 'a', { node: 'n1', state: 'failed', since: 0 })], [node('n1')], at(2), counter());
    expect(plan).toEqual({ actions: [], wakeAt: at(5) });
  });

  it('eligibleNodes: ready, active, matching', () => {
    const nodes = [
      node('a', { labels: { z: '1' } }),
      node('b', { labels: { z: '1' }, availability: 'pause' }),
      node('c', { labels: { z: '1' }, state: 'down' }),
      node('d'),
    ];
    expect(eligibleNodes(agent(['node.labels.z==1']), nodes).map((n) => n.metadata.name)).toEqual(['a']);
  });
});
