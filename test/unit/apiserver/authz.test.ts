import { authorize, type Access } from '../../../src/apiserver/authz.js';
import type { Identity } from '../../../src/apiserver/tokens.js';

const admin: Identity = { id: 'a', role: 'admin' };
const viewer: Identity = { id: 'v', role: 'viewer' };
const n1: Identity = { id: 'n', role: 'node', node: 'n1' };
const allowed = (who: Identity, a: Access) => authorize(who, a).allow;

test('admin does anything, a viewer only reads', () => {
  expect(allowed(admin, { verb: 'delete', kind: 'Stack', name: 'x' })).toBe(true);
  expect(allowed(viewer, { verb: 'list', kind: 'Secret' })).toBe(true);
  for (const verb of ['create', 'update', 'patch', 'delete'] as const) expect(allowed(viewer, { verb, kind: 'Stack' })).toBe(false);
});

test.each<[Access, boolean | string]>([
  [{ verb: 'list', kind: 'Task' }, false],
  [{ verb: 'list', kind: 'Task', pinnedNode: 'n2' }, false],
  [{ verb: 'watch', kind: 'Task', pinnedNode: 'n1' }, true],
  [{ verb: 'get', kind: 'Task', name: 't' }, 'own-task'],
  [{ verb: 'update', kind: 'Task', name: 't', subresource: 'status' }, 'own-task'],
  [{ verb: 'update', kind: 'Task', name: 't' }, false],
  [{ verb: 'get', kind: 'Secret', name: 's' }, 'own-task-file'],
  [{ verb: 'list', kind: 'Secret' }, false],
  [{ verb: 'get', kind: 'Node', name: 'n1' }, true],
  [{ verb: 'get', kind: 'Node', name: 'n2' }, false],
  [{ verb: 'patch', kind: 'Node', name: 'n1', subresource: 'status' }, true],
  [{ verb: 'patch', kind: 'Node', name: 'n1' }, false],
  [{ verb: 'list', kind: 'Network' }, true],
  [{ verb: 'get', kind: 'Stack', name: 'x' }, false],
  [{ verb: 'list', kind: 'Service' }, false],
])('node n1: %j', (access, expected) => {
  const d = authorize(n1, access);
  if (typeof expected === 'string') expect(d).toEqual({ allow: true, check: expected });
  else expect(d.allow).toBe(expected);
});
