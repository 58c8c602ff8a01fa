import type { Task } from '../../../src/api/objects.js';
import { placeCreations } from '../../../src/manager/placement.js';
import type { OrchestratorAction } from '../../../src/orchestrator/actions.js';
import { NodeUsageIndex } from '../../../src/scheduler/node-usage.js';
import { node, service, task } from '../orchestrator/fixtures.js';

const GiB = 1024 ** 3;
const NOW = new Date('2026-01-01T00:00:00Z');
const big = service('db', { deploy: { resources: { limits: {}, reservations: { memory: 3 * GiB } } } });
const nodes = [node('a', { memory: 4 * GiB }), node('b', { memory: 4 * GiB })];
const create = (t: Task): OrchestratorAction => ({ type: 'create', task: t });
const fresh = (name: string, state: 'pending' | 'new' = 'pending') => task(big, name, { slot: Number(name.slice(1)), state });
const memoryOn = (usage: NodeUsageIndex) => Object.fromEntries([...usage.infos(nodes)].map(([n, info]) => [n, info.memory / GiB]));

describe('NodeUsageIndex: tasks assumed while their write is under way', () => {
  it('count until the store has them, and once after', () => {
    const usage = new NodeUsageIndex(() => []);
    const placed = task(big, 'd1', { node: 'a', state: 'assigned' });
    usage.assume(placed);
    expect(memoryOn(usage)).toEqual({ a: 3, b: 0 });
    usage.apply({ object: placed }); // the informer sees the create: the store's word replaces the assumption
    expect(memoryOn(usage)).toEqual({ a: 3, b: 0 });
    usage.unassume('d1'); // the writer is done: nothing left to take back
    expect(memoryOn(usage)).toEqual({ a: 3, b: 0 });
  });

  it('a write that failed is taken back, and says capacity came free (the scheduler looks again)', () => {
    const usage = new NodeUsageIndex(() => []);
    let released = 0;
    usage.released$.subscribe(() => released++);
    usage.assume(task(big, 'd1', { node: 'b', state: 'assigned' }));
    usage.unassume('d1');
    expect(memoryOn(usage)).toEqual({ a: 0, b: 0 });
    expect(released).toBe(1);
  });

  it('an assumption the store confirmed frees nothing when taken back', () => {
    const usage = new NodeUsageIndex(() => []);
    let released = 0;
    usage.released$.subscribe(() => released++);
    const placed = task(big, 'd1', { node: 'a', state: 'assigned' });
    usage.assume(placed);
    usage.apply({ object: placed });
    usage.unassume('d1');
    usage.unassume('never-assumed');
    expect(released).toBe(0);
  });

  it('an assignment of a pending task: the update replaces the assumption', () => {
    const pending = fresh('d1');
    const usage = new NodeUsageIndex(() => [pending]);
    const assigned = task(big, 'd1', { slot: 1, node: 'a', state: 'assigned' });
    usage.assume(assigned);
    usage.apply({ old: pending, object: assigned });
    usage.unassume('d1');
    expect(memoryOn(usage)).toEqual({ a: 3, b: 0 });
  });
});

describe('placeCreations', () => {
  it('writes new pending tasks with their node and leaves every other action alone', () => {
    const usage = new NodeUsageIndex(() => []);
    const stop: OrchestratorAction = { type: 'setDesired', taskName: 'old', desiredState: 'shutdown', reason: 'updated' };
    const out = placeCreations([create(fresh('d1')), stop, create(fresh('d2', 'new'))], nodes, usage, NOW);
    const [placed, same, gated] = out.actions;
    expect(placed.type === 'create' && [placed.task.spec.nodeName, placed.task.status]).toEqual([
      'a',
      { state: 'assigned', timestamp: NOW.toISOString(), message: 'scheduled on a' },
    ]);
    expect(same).toBe(stop);
    // waiting for its dependencies: not the scheduler's yet
    expect(gated.type === 'create' && [gated.task.spec.nodeName, gated.task.status?.state]).toEqual([undefined, 'new']);
    expect(out.assumed).toEqual(['d1']);
  });

  it('counts what it placed for the next placement before the store has it', () => {
    const usage = new NodeUsageIndex(() => []);
    placeCreations([create(fresh('d1'))], nodes, usage, NOW);
    const second = placeCreations([create(fresh('d2')), create(fresh('d3'))], nodes, usage, NOW);
    const outcome = second.actions.map((a) => a.type === 'create' && [a.task.spec.nodeName ?? '-', a.task.status?.state, a.task.status?.message]);
    // 3 GiB each on nodes of 4 GiB: d1 holds a, d2 gets b, d3 fits nowhere and is created pending with the reason
    expect(outcome).toEqual([
      ['b', 'assigned', 'scheduled on b'],
      ['-', 'pending', 'no suitable node (insufficient memory (3GiB reserved) on 2 nodes)'],
    ]);
    expect(second.assumed).toEqual(['d2']);
  });
});
