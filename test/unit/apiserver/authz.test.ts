import { authorize, authorizeEvents, type Access } from '../../../src/apiserver/authz.js';
import { leaseAccess } from '../../../src/apiserver/leases.js';
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
  [{ verb: 'list', kind: 'Task' }, 'view:network'],
  [{ verb: 'list', kind: 'Task', pinnedNode: 'n2' }, 'view:network'],
  [{ verb: 'watch', kind: 'Task', pinnedNode: 'n1' }, true],
  [{ verb: 'get', kind: 'Node', name: 'n2', subresource: 'status' }, false],
  [{ verb: 'update', kind: 'Node', name: 'n2', subresource: 'status' }, false],
  [{ verb: 'watch', kind: 'Node' }, 'view:network'],
  [{ verb: 'list', kind: 'Node', pinnedNode: 'n1' }, true],
  [{ verb: 'update', kind: 'Network', name: 'x', subresource: 'status' }, false],
  [{ verb: 'patch', kind: 'Network', name: 'x', subresource: 'status' }, false],
  [{ verb: 'create', kind: 'Network' }, false],
  [{ verb: 'watch', kind: 'Service' }, 'view:network'],
  [{ verb: 'get', kind: 'Service', name: 'web' }, false],
  [{ verb: 'patch', kind: 'Service', name: 'web', subresource: 'scale' }, false],
  [{ verb: 'watch', kind: 'Stack' }, 'view:network'],
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
  [{ verb: 'get', kind: 'Stack', name: 'x' }, 'own-stack'],
  [{ verb: 'delete', kind: 'Stack', name: 'x' }, false],
  [{ verb: 'list', kind: 'Service' }, 'view:network'],
  [{ verb: 'list', kind: 'Secret', namespace: 's' }, false],
  [{ verb: 'list', kind: 'Config' }, false],
])('node n1: %j', (access, expected) => {
  const d = authorize(n1, access);
  if (expected === 'view:network') expect(d).toEqual({ allow: true, view: 'network' });
  else if (typeof expected === 'string') expect(d).toEqual({ allow: true, check: expected });
  else expect(d.allow).toBe(expected);
});

test('a node registers itself and reads the stacks of its tasks (checked against the objects)', () => {
  expect(authorize(n1, { verb: 'create', kind: 'Node' })).toEqual({ allow: true, check: 'own-node' });
  expect(authorize(n1, { verb: 'get', kind: 'Stack', name: 's' })).toEqual({ allow: true, check: 'own-stack' });
  expect(authorize(n1, { verb: 'list', kind: 'Stack' })).toEqual({ allow: true, view: 'network' });
  expect(allowed(n1, { verb: 'update', kind: 'Node', name: 'n1' })).toBe(false);
});

test('leases: a node holds only its own, a viewer reads', () => {
  expect(() => leaseAccess(n1, 'PUT', 'n1')).not.toThrow();
  expect(() => leaseAccess(n1, 'PATCH', 'n2')).toThrow(/may hold only lease n1/);
  expect(() => leaseAccess(viewer, 'GET', 'n1')).not.toThrow();
  expect(() => leaseAccess(viewer, 'DELETE', 'n1')).toThrow(/viewer may only read/);
  expect(() => leaseAccess(admin, 'DELETE', 'n2')).not.toThrow();
});

test('gitopssecrets are write-only: an admin writes them, nobody reads them', () => {
  for (const verb of ['get', 'list', 'watch'] as const) {
    expect(allowed(admin, { verb, kind: 'GitOpsSecret', name: verb === 'get' ? 'c' : undefined })).toBe(false);
    expect(allowed(viewer, { verb, kind: 'GitOpsSecret' })).toBe(false);
  }
  expect(allowed(admin, { verb: 'update', kind: 'GitOpsSecret', name: 'c' })).toBe(true);
  expect(allowed(viewer, { verb: 'update', kind: 'GitOpsSecret', name: 'c' })).toBe(false);
  expect(allowed(n1, { verb: 'delete', kind: 'GitOpsSecret', name: 'c' })).toBe(false);
});

test('events: admins and viewers read them, a viewer writes nothing, a node neither reads nor writes', () => {
  for (const verb of ['get', 'list', 'watch'] as const) {
    expect(authorizeEvents(admin, verb).allow).toBe(true);
    expect(authorizeEvents(viewer, verb).allow).toBe(true);
    expect(authorizeEvents(n1, verb)).toEqual({ allow: false, reason: `node n1 may not ${verb} events` });
  }
  expect(authorizeEvents(viewer, 'delete').allow).toBe(false);
  expect(authorizeEvents(n1, 'create').allow).toBe(false);
});
