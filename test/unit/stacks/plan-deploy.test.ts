import type { NewObject, Resource } from '../../../src/api/meta.js';
import { decodeObject } from '../../../src/client/codec.js';
import type { Clock } from '../../../src/client/materialize.js';
import { planDeploy } from '../../../src/stacks/plan-deploy.js';
import type { TxnOp } from '../../../src/store/store.js';

function counterClock(): Clock {
  let n = 0;
  return { now: () => new Date('2026-01-01T00:00:00Z'), uid: () => `uid-${++n}` };
}

const stack = (spec: unknown = { name: 'app' }): NewObject => ({ kind: 'Stack', metadata: { name: 'app', namespace: '' }, spec });
const service = (name: string, image: string, labels: Record<string, string> = {}): NewObject => ({
  kind: 'Service',
  metadata: { name, namespace: 'app', labels },
  spec: { stack: 'app', template: { image, deploy: { replicas: 1 } } },
});

/** What the Store would hold after applying ops at `revision` (create/update only). */
function stored(ops: TxnOp[], revision: number): Resource[] {
  return ops.flatMap((op) =>
    op.op === 'create' || op.op === 'update' ? [decodeObject({ key: op.key, value: op.value, createRevision: revision, modRevision: revision })] : [],
  );
}

describe('planDeploy', () => {
  it('creates the stack and its children, owned by the stack', () => {
    const plan = planDeploy([stack(), service('web', 'nginx:1')], [], false, counterClock());
    expect(plan.results.map((r) => `${r.kind}/${r.name} ${r.change}`)).toEqual(['Stack/app created', 'Service/web created']);
    expect(plan.ops.map((o) => o.op)).toEqual(['create', 'create']);
    const [st, web] = stored(plan.ops, 7);
    expect(st.metadata.generation).toBe(1);
    expect(web.metadata.ownerReferences).toEqual([{ apiVersion: 'stackd.io/v1', kind: 'Stack', name: 'app', uid: st.metadata.uid, controller: true }]);
    expect(web.metadata.resourceVersion).toBe('7');
  });

  it('records a stack revision when a service revision changes, not otherwise', () => {
    const clock = counterClock();
    const first = stored(planDeploy([stack(), service('web', 'nginx:1')], [], false, clock).ops, 3);
    const revisions = (o: Resource) => ((o.status ?? {}) as { revisions?: { revision: number; services: Record<string, string> }[] }).revisions ?? [];
    expect(revisions(first[0]).map((r) => r.revision)).toEqual([1]);
    const changed = planDeploy([stack(), service('web', 'nginx:2')], first, false, clock);
    const [st] = stored(changed.ops, 4);
    expect(revisions(st).map((r) => r.revision)).toEqual([2, 1]);
    expect(revisions(st)[0].services.web).not.toBe(revisions(st)[1].services.web);
    expect(changed.results[0].change).toBe('unchanged'); // the stack's spec did not change
  });

  it('an identical redeploy writes nothing', () => {
    const clock = counterClock();
    const desired = [stack(), service('web', 'nginx:1')];
    const existing = stored(planDeploy(desired, [], false, clock).ops, 3);
    const again = planDeploy(desired, existing, false, clock);
    expect(again.ops).toEqual([]);
    expect(again.results.every((r) => r.change === 'unchanged')).toBe(true);
  });

  it('a spec change bumps generation and compares-and-swaps on the read revision', () => {
    const clock = counterClock();
    const existing = stored(planDeploy([stack(), service('web', 'nginx:1')], [], false, clock).ops, 3);
    const plan = planDeploy([stack(), service('web', 'nginx:2')], existing, false, clock);
    expect(plan.results.map((r) => r.change)).toEqual(['unchanged', 'updated']);
    // the service, and the stack's new revision
    expect(plan.ops).toHaveLength(2);
    expect(plan.ops[1]).toMatchObject({ op: 'update', key: '/stackd/services/app/web', revision: 3 });
    const [, web] = stored(plan.ops, 4);
    expect(web.metadata.generation).toBe(2);
    expect(web.metadata.uid).toBe(existing[1].metadata.uid);
  });

  it('a label-only change updates without bumping generation', () => {
    const clock = counterClock();
    const existing = stored(planDeploy([stack(), service('web', 'nginx:1')], [], false, clock).ops, 3);
    const plan = planDeploy([stack(), service('web', 'nginx:1', { tier: 'front' })], existing, false, clock);
    const [web] = stored(plan.ops, 4);
    expect(web.metadata.generation).toBe(1);
    expect(web.metadata.labels).toEqual({ tier: 'front' });
  });

  it('keeps services missing from the file unless pruning', () => {
    const clock = counterClock();
    const existing = stored(planDeploy([stack(), service('web', 'a'), service('old', 'b')], [], false, clock).ops, 3);
    const keep = planDeploy([stack(), service('web', 'a')], existing, false, clock);
    expect(keep.ops).toEqual([]);
    const prune = planDeploy([stack(), service('web', 'a')], existing, true, clock);
    expect(prune.results.find((r) => r.name === 'old')?.change).toBe('deleted');
    // the service goes, and the stack records a revision without it
    expect(prune.ops.map((o) => `${o.op} ${o.key}`)).toEqual(['update /stackd/stacks/app', 'delete /stackd/services/app/old']);
  });
});
