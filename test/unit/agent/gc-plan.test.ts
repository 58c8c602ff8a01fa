// What the agent's garbage collector removes (pure): only its own cluster's objects on its node;
// objects made before cluster ids only with proof from its own store.
import type { Task } from '../../../src/api/objects.js';
import { planGarbage, type EngineResource, type LegacyAdoptions } from '../../../src/agent/gc-plan.js';
import { taskLabels, taskRefFromLabels } from '../../../src/runtime/labels.js';
import type { ManagedContainer } from '../../../src/runtime/types.js';
import { task } from '../runtime/fixtures.js';

const NODE = 'n1';
const ME = 'cluster-a';

function assigned(id: string, stack = 'demo', state?: 'orphaned'): Task {
  const t = task({ id, stack });
  return state ? { ...t, status: { state, timestamp: '', message: '' } } : t;
}

/** A container of task `id`: cluster '' is one made before cluster ids. */
function container(id: string, cluster: string, opts: { stack?: string; node?: string; state?: string } = {}): ManagedContainer {
  const labels = taskLabels(task({ id, stack: opts.stack ?? 'demo' }), opts.node ?? NODE, cluster);
  if (!cluster) delete labels['io.stackd.cluster'];
  return { id: `c-${id}`, name: `demo_web.1.${id}`, labels, task: taskRefFromLabels(labels)!, state: opts.state ?? 'running', status: '' };
}

function network(stack: string, cluster: string, node = NODE): EngineResource {
  return { name: `${stack}_default`, labels: { 'io.stackd.stack': stack, 'io.stackd.node': node, ...(cluster ? { 'io.stackd.cluster': cluster } : {}) } };
}

const fresh = (): LegacyAdoptions => ({ tasks: new Set(), stacks: new Set() });
const removed = (p: ReturnType<typeof planGarbage>) => p.containers.map((c) => c.container.task.taskId).sort();

describe('planGarbage', () => {
  it("removes this cluster's containers whose task is gone, never another cluster's of the same node and stack", () => {
    const containers = [container('keep', ME), container('gone', ME), container('theirs', 'cluster-b'), container('theirs2', 'cluster-b', { state: 'exited' })];
    const plan = planGarbage(ME, NODE, containers, [network('demo', 'cluster-b'), network('old', ME)], [], [assigned('keep')], fresh());
    expect(removed(plan)).toEqual(['gone']);
    expect(plan.containers[0].why).toBe('no longer assigned to n1');
    expect(plan.networks).toEqual(['old_default']);
    expect(plan.wantedTasks).toEqual(new Set(['keep']));
  });

  it("keeps a stack's network while one of its tasks is here, and the ingress network always", () => {
    const plan = planGarbage(ME, NODE, [container('t1', ME)], [network('demo', ME), network('', ME)], [], [assigned('t1')], fresh());
    expect(plan.networks).toEqual([]);
    expect(planGarbage(ME, NODE, [], [network('demo', ME), network('', ME)], [], [], fresh()).networks).toEqual(['demo_default']);
  });

  it("leaves another node's objects alone", () => {
    const plan = planGarbage(ME, NODE, [container('x', ME, { node: 'n2' })], [network('demo', ME, 'n2')], [], [], fresh());
    expect(plan.containers).toEqual([]);
    expect(plan.networks).toEqual([]);
  });

  it("an orphaned task's container goes once stopped, not while it runs", () => {
    const orphan = [assigned('o', 'demo', 'orphaned')];
    expect(removed(planGarbage(ME, NODE, [container('o', ME)], [], [], orphan, fresh()))).toEqual([]);
    const plan = planGarbage(ME, NODE, [container('o', ME, { state: 'exited' })], [], [], orphan, fresh());
    expect(removed(plan)).toEqual(['o']);
    expect(plan.containers[0].why).toBe('orphaned');
  });

  it('objects from before cluster ids: left alone unless their task was assigned here; then adopted and collected once gone', () => {
    const legacy = fresh();
    const before = [container('old1', ''), container('stranger', '')];
    const nets = [network('demo', '')];
    // first pass: old1 is assigned here (adopted), stranger never was: neither goes
    let plan = planGarbage(ME, NODE, before, nets, [], [assigned('old1')], legacy);
    expect(removed(plan)).toEqual([]);
    expect(plan.networks).toEqual([]);
    expect([...legacy.tasks]).toEqual(['old1']);
    // its task is gone: the adopted container goes, and its stack's legacy network; the stranger stays
    plan = planGarbage(ME, NODE, before, nets, [], [], legacy);
    expect(removed(plan)).toEqual(['old1']);
    expect(plan.networks).toEqual(['demo_default']);
    // an agent that never saw them assigned (another cluster's from before ids) touches nothing
    plan = planGarbage(ME, NODE, before, nets, [], [], fresh());
    expect(plan.containers).toEqual([]);
    expect(plan.networks).toEqual([]);
  });

  it('forgets ensured volumes only when one of its own stacks is gone', () => {
    const vol = (cluster: string) => ({ name: 'demo_data', labels: { 'io.stackd.stack': 'demo', 'io.stackd.node': NODE, 'io.stackd.cluster': cluster } });
    expect(planGarbage(ME, NODE, [], [], [vol('cluster-b')], [], fresh()).volumesMayBeGone).toBe(false);
    expect(planGarbage(ME, NODE, [], [], [vol(ME)], [], fresh()).volumesMayBeGone).toBe(true);
  });
});
