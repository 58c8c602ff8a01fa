import type { GitStackResult } from '../../../src/api/objects.js';
import { sourceConditions } from '../../../src/gitops/conditions.js';

const r = (stack: string, result: GitStackResult['result'], message?: string): GitStackResult => ({
  stack,
  file: `${stack}/stack.yml`,
  result,
  ...(message ? { message } : {}),
});
const rev = 'main@abc';

describe('sourceConditions', () => {
  test('all rolled out or unchanged: Ready', () => {
    expect(sourceConditions({ kind: 'applied', revision: rev, stacks: [r('a', 'rolled out'), r('b', 'unchanged'), r('c', 'orphaned')] })).toEqual([
      { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'applied revision main@abc (2 stack(s))' },
    ]);
  });

  test('a rollout in progress: Ready Unknown and Reconciling', () => {
    expect(sourceConditions({ kind: 'applied', revision: rev, stacks: [r('a', 'rolling out', 'a_app 0/1')] })).toEqual([
      { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'applying main@abc' },
      { type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'rolling out: a: a_app 0/1' },
    ]);
  });

  test('a rollback outranks a failure, which outranks a conflict', () => {
    const stacks = [r('a', 'conflict', 'x'), r('b', 'failed', 'y'), r('c', 'rolled back', 'z')];
    expect(sourceConditions({ kind: 'applied', revision: rev, stacks })[0]).toMatchObject({
      status: 'False',
      reason: 'RolloutRolledBack',
      message: 'main@abc: c: z',
    });
    expect(sourceConditions({ kind: 'applied', revision: rev, stacks: stacks.slice(0, 2) })[0]).toMatchObject({ reason: 'RolloutFailed' });
    expect(sourceConditions({ kind: 'applied', revision: rev, stacks: stacks.slice(0, 1) })[0]).toMatchObject({ reason: 'StackConflict' });
  });

  test('an invalid commit stalls the source with every file:line:col problem', () => {
    const conds = sourceConditions({ kind: 'invalid', revision: rev, problems: ['web/stack.yml:3:5 services.app: bad', 'api.yml:1:1 x'] });
    expect(conds.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'False', 'ValidationFailed'],
      ['Stalled', 'True', 'ValidationFailed'],
    ]);
    expect(conds[0].message).toBe('revision main@abc is not valid, nothing applied:\nweb/stack.yml:3:5 services.app: bad\napi.yml:1:1 x');
  });

  test('a failed fetch is not Ready, with its reason', () => {
    expect(sourceConditions({ kind: 'fetch-failed', reason: 'AuthenticationFailed', message: 'no' })).toEqual([
      { type: 'Ready', status: 'False', reason: 'AuthenticationFailed', message: 'no' },
    ]);
  });
});

test('a condition lists five stacks at most', () => {
  const stacks = Array.from({ length: 7 }, (_, i) => r(`s${i}`, 'failed'));
  expect(sourceConditions({ kind: 'applied', revision: rev, stacks })[0].message).toBe('main@abc: s0; s1; s2; s3; s4; and 2 more (stackctl gitops status)');
});
