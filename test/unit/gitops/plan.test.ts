import type { Resource } from '../../../src/api/meta.js';
import type { GitStackResult } from '../../../src/api/objects.js';
import { nextInventory, planSync, type SyncPlanInput } from '../../../src/gitops/plan.js';

function stack(name: string, labels: Record<string, string> = {}): Resource {
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Stack',
    metadata: { name, namespace: '', uid: name, generation: 1, resourceVersion: '5', labels, annotations: {}, creationTimestamp: '', ownerReferences: [] },
    spec: {},
  };
}
const ours = (name: string) => stack(name, { 'stackd.io/gitsource': 'src' });
const want = (name: string, digest = `d-${name}`) => ({ name, file: `${name}/stack.yml`, digest });

function input(over: Partial<SyncPlanInput>): SyncPlanInput {
  return { source: 'src', prune: false, inventory: [], wanted: [], existing: new Map(), previous: [], ...over };
}
const existing = (...stacks: Resource[]) => new Map(stacks.map((s) => [s.metadata.name, s]));

describe('planSync', () => {
  test("new stacks and stacks the source owns are applied; another owner's stack is a conflict", () => {
    const plan = planSync(
      input({
        wanted: [want('new'), want('mine'), want('theirs'), want('handmade')],
        existing: existing(ours('mine'), stack('theirs', { 'stackd.io/gitsource': 'other' }), stack('handmade')),
      }),
    );
    expect(plan.apply.map((a) => a.name)).toEqual(['new', 'mine']);
    expect(plan.conflicts.map((c) => [c.stack, c.message])).toEqual([
      ['theirs', 'stack theirs exists and belongs to gitsource other; not touched'],
      ['handmade', 'stack handmade exists and belongs to stackctl deploy (no gitsource); not touched'],
    ]);
  });

  test("a stack in the inventory whose label a hand deploy dropped is still the source's", () => {
    const plan = planSync(input({ inventory: ['web'], wanted: [want('web')], existing: existing(stack('web')) }));
    expect(plan.apply.map((a) => a.name)).toEqual(['web']);
    expect(plan.conflicts).toEqual([]);
  });

  test("stacks gone from git are pruned only with prune, and only the source's own", () => {
    const base = { inventory: ['gone', 'stolen'], existing: existing(ours('gone'), ours('labelled'), stack('stolen', { 'stackd.io/gitsource': 'other' })) };
    expect(planSync(input({ ...base, prune: false }))).toMatchObject({ prune: [], orphaned: ['gone', 'labelled'] });
    expect(planSync(input({ ...base, prune: true }))).toMatchObject({ prune: ['gone', 'labelled'], orphaned: [] });
  });

  test('a stack rolled back at this content is held until git changes it', () => {
    const previous: GitStackResult[] = [{ stack: 'web', file: 'web/stack.yml', result: 'rolled back', digest: 'd1' }];
    const held = planSync(input({ inventory: ['web'], wanted: [want('web', 'd1')], existing: existing(ours('web')), previous }));
    expect(held.apply).toEqual([]);
    expect(held.held).toEqual(previous);
    const changed = planSync(input({ inventory: ['web'], wanted: [want('web', 'd2')], existing: existing(ours('web')), previous }));
    expect(changed.apply.map((a) => a.name)).toEqual(['web']);
  });

  test('the next inventory: applied, held and kept stacks, not pruned ones nor failed creations', () => {
    const plan = { apply: [want('a'), want('b')], held: [{ stack: 'c', file: '', result: 'rolled back' as const }], conflicts: [], prune: ['d'], orphaned: ['e'] };
    expect(nextInventory(plan, new Set(['b']))).toEqual(['a', 'c', 'e']);
  });
});
