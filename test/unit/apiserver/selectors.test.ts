import type { Resource } from '../../../src/api/meta.js';
import { parseSelector, parseSelectors, pinnedField, selects, SelectorError } from '../../../src/apiserver/selectors.js';
import { parseResourcePath } from '../../../src/apiserver/resources.js';

const task = (node: string, labels: Record<string, string> = {}) =>
  ({ kind: 'Task', metadata: { name: 't1', namespace: 'accounts', labels }, spec: { nodeName: node } }) as unknown as Resource;

test.each([
  ['a=b', [{ key: 'a', op: 'eq', value: 'b' }]],
  [
    'a==b,c!=d',
    [
      { key: 'a', op: 'eq', value: 'b' },
      { key: 'c', op: 'neq', value: 'd' },
    ],
  ],
  [
    'env in (prod, staging),!canary,tier',
    [
      { key: 'env', op: 'in', values: ['prod', 'staging'] },
      { key: 'canary', op: 'absent' },
      { key: 'tier', op: 'exists' },
    ],
  ],
  ['x notin (a)', [{ key: 'x', op: 'notin', values: ['a'] }]],
])('label selector %s', (text, reqs) => {
  expect(parseSelector(text)).toEqual(reqs);
});

test('malformed selectors are errors; field selectors take no sets', () => {
  expect(() => parseSelector('a in b')).toThrow(SelectorError);
  expect(() => parseSelector('x', false)).toThrow(SelectorError);
});

test("field and label selectors select; spec.node is a task's node", () => {
  const sel = parseSelectors(new URLSearchParams({ fieldSelector: 'spec.node=n1,metadata.namespace=accounts', labelSelector: 'tier in (web)' }));
  expect(selects(sel, task('n1', { tier: 'web' }))).toBe(true);
  expect(selects(sel, task('n2', { tier: 'web' }))).toBe(false);
  expect(selects(sel, task('n1', { tier: 'db' }))).toBe(false);
  expect(pinnedField(sel, 'spec.nodeName')).toBe('n1');
  expect(pinnedField(parseSelectors(new URLSearchParams({ fieldSelector: 'spec.node!=n1' })), 'spec.nodeName')).toBeUndefined();
});

test('resource paths', () => {
  expect(parseResourcePath('/apis/stackd.io/v1/namespaces/accounts/services/api/scale')).toMatchObject({
    resource: { kind: 'Service' },
    namespace: 'accounts',
    name: 'api',
    subresource: 'scale',
  });
  expect(parseResourcePath('/apis/stackd.io/v1/stacks')).toMatchObject({ resource: { kind: 'Stack' }, namespace: undefined });
  expect(parseResourcePath('/apis/stackd.io/v1/namespaces/x/stacks')).toBeUndefined();
  // write-only (authz.ts), but served
  expect(parseResourcePath('/apis/stackd.io/v1/gitopssecrets/x')).toMatchObject({ resource: { kind: 'GitOpsSecret' }, name: 'x' });
  // a network without a namespace: a cluster network
  expect(parseResourcePath('/apis/stackd.io/v1/networks/shr')).toMatchObject({ resource: { kind: 'Network' }, namespace: undefined, name: 'shr' });
});
