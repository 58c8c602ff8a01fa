import type { Node, Task } from '../../../src/api/objects.js';
import { planNodeLiveness } from '../../../src/orchestrator/node-liveness.js';
import { node, service, task } from './fixtures.js';

const web = service('web', { deploy: { replicas: 3 } });
const agent = service('agent', { deploy: { mode: 'global' } });

describe('planNodeLiveness: node state', () => {
  it.each<[string, Node, boolean, string[]]>([
    ['ready and alive: nothing', node('a'), true, []],
    ['ready, lease lapsed: down', node('a'), false, ['a down heartbeat lease expired']],
    ['down, alive again: ready', node('a', { state: 'down' }), true, ['a ready ']],
    ['unknown (just registered) and alive: ready', node('a', { state: 'unknown' }), true, ['a ready ']],
    ['down and still lapsed: nothing', node('a', { state: 'down' }), false, []],
  ])('%s', (_name, n, alive, expected) => {
    const plan = planNodeLiveness([n], { [n.metadata.name]: alive }, []);
    expect(plan.nodeActions.map((a) => `${a.nodeName} ${a.state} ${a.message}`)).toEqual(expected);
  });

  it('a node missing from the heartbeats map counts as lapsed', () => {
    expect(planNodeLiveness([node('a')], {}, []).nodeActions).toEqual([{ type: 'setNodeState', nodeName: 'a', state: 'down', message: 'heartbeat lease expired' }]);
  });
});

describe('planNodeLiveness: tasks', () => {
  const nodes = [node('a'), node('b', { availability: 'drain' }), node('c')];
  const cases: Array<[string, Record<string, boolean>, Task[], string[]]> = [
    [
      'a lost node: its replicated tasks are orphaned',
      { a: false, b: true, c: true },
      [task(web, 'w1', { slot: 1, node: 'a' }), task(web, 'w2', { slot: 2, node: 'c' })],
      ['orphan w1 node a down'],
    ],
    [
      'a lost node: tasks still starting are orphaned too',
      { a: false, b: true, c: true },
      [task(web, 'w1', { slot: 1, node: 'a', state: 'assigned' })],
      ['orphan w1 node a down'],
    ],
    ['a lost node: ended tasks are left as they are', { a: false, b: true, c: true }, [task(web, 'w1', { slot: 1, node: 'a', state: 'failed' })], []],
    ['a lost node: its global task is left alone', { a: false, b: true, c: true }, [task(agent, 'g1', { node: 'a' })], []],
    [
      'a lost node: a global task already being stopped is orphaned',
      { a: false, b: true, c: true },
      [task(agent, 'g1', { node: 'a', desired: 'shutdown' })],
      ['orphan g1 node a down'],
    ],
    [
      'a removed node: every task is orphaned',
      { a: true, b: true, c: true },
      [task(web, 'w1', { slot: 1, node: 'gone' }), task(agent, 'g1', { node: 'gone' })],
      ['orphan g1 node gone removed', 'orphan w1 node gone removed'],
    ],
    [
      'a drained node: its tasks are asked to shut down',
      { a: true, b: true, c: true },
      [task(web, 'w1', { slot: 1, node: 'b' }), task(agent, 'g1', { node: 'b' })],
      ['setDesired g1 node b drained', 'setDesired w1 node b drained'],
    ],
    ['a drained node: tasks already stopping are left to stop', { a: true, b: true, c: true }, [task(web, 'w1', { slot: 1, node: 'b', desired: 'shutdown' })], []],
    ['a drained node that is also down: orphaned', { a: true, b: false, c: true }, [task(web, 'w1', { slot: 1, node: 'b' })], ['orphan w1 node b down']],
    ["unassigned tasks are not the node planner's business", { a: false, b: true, c: true }, [task(agent, 'g1', { node: 'a', state: 'pending' })], []],
    ['healthy nodes: nothing', { a: true, b: true, c: true }, [task(web, 'w1', { slot: 1, node: 'a' }), task(web, 'w3', { slot: 3, node: 'c' })], []],
  ];
  it.each(cases)('%s', (_name, alive, tasks, expected) => {
    const summary = planNodeLiveness(nodes, alive, tasks).taskActions.map((a) =>
      a.type === 'create' ? 'create' : `${a.type} ${a.taskName} ${'reason' in a ? a.reason : ''}`,
    );
    expect(summary.sort()).toEqual(expected);
  });
});
