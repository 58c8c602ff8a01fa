import { kindPrefix, objectKey } from '../../src/api/keys.js';

describe('key layout', () => {
  it.each([
    ['Service', 'accounts', 'web', '/stackd/services/accounts/web'],
    ['Task', 'accounts', 'abc', '/stackd/tasks/accounts/abc'],
    ['Stack', '', 'accounts', '/stackd/stacks/accounts'],
    ['Node', '', 'node-1', '/stackd/nodes/node-1'],
  ] as const)('%s %s/%s lives at %s', (kind, ns, name, key) => {
    expect(objectKey(kind, ns, name)).toBe(key);
  });

  it('namespaced prefixes end in a slash so "web" never matches "web2"', () => {
    expect(kindPrefix('Service', 'accounts')).toBe('/stackd/services/accounts/');
    expect(kindPrefix('Stack', 'ignored')).toBe('/stackd/stacks/');
  });
});
