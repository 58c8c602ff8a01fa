import { CLUSTER_ID_KEY, assignmentPrefix, heartbeatKey, objectKey } from '../../../src/api/keys.js';
import { keyTarget } from '../../../src/apiserver-client/keymap.js';
import { stackRemoval } from '../../../src/apiserver-client/api-store.js';
import { watchEvent } from '../../../src/apiserver-client/watch-message.js';
import type { Resource } from '../../../src/api/meta.js';

test.each<[string, ReturnType<typeof keyTarget>]>([
  [CLUSTER_ID_KEY, { type: 'cluster-id' }],
  [heartbeatKey('n1'), { type: 'lease', node: 'n1' }],
  [assignmentPrefix('n1'), { type: 'assignments', node: 'n1' }],
  [`${assignmentPrefix('n1')}acc/t1`, undefined],
  [objectKey('Node', '', 'n1'), { type: 'object', kind: 'Node', plural: 'nodes', name: 'n1' }],
  [objectKey('Task', 'acc', 't1'), { type: 'object', kind: 'Task', plural: 'tasks', namespace: 'acc', name: 't1' }],
  [objectKey('Stack', '', 'acc'), { type: 'object', kind: 'Stack', plural: 'stacks', name: 'acc' }],
  ['/stackd/tasks/acc/', { type: 'kind', kind: 'Task', plural: 'tasks', namespace: 'acc' }],
  ['/stackd/stacks/', { type: 'kind', kind: 'Stack', plural: 'stacks' }],
  ['/stackd/tasks/acc/x/y', undefined],
  ['/stackd/gitopssecrets/x', { type: 'object', kind: 'GitOpsSecret', plural: 'gitopssecrets', name: 'x' }],
  // cluster networks have the empty namespace
  [objectKey('Network', '', 'shr'), { type: 'object', kind: 'Network', plural: 'networks', namespace: '', name: 'shr' }],
  ['/stackd/networks//', { type: 'kind', kind: 'Network', plural: 'networks', namespace: '' }],
  ['/stackd/tasks//t1', undefined],
  // events: all, one stack's, cluster-scoped objects' (the @cluster segment is the empty namespace)
  ['/stackd/events/', { type: 'events' }],
  ['/stackd/events/acc/', { type: 'events', namespace: 'acc' }],
  ['/stackd/events/@cluster/', { type: 'events', namespace: '' }],
  ['/stackd/events/acc/service.web.1234', { type: 'events', namespace: 'acc', name: 'service.web.1234' }],
  ['/stackd/events/acc/x/y', undefined],
  ['/elsewhere/x', undefined],
])('%s', (key, target) => {
  expect(keyTarget(key)).toEqual(target);
});

const task = (name: string, rv: string) => ({ kind: 'Task', metadata: { name, namespace: 'acc', resourceVersion: rv } }) as unknown as Resource;
const keyOf = (o: Resource) => `k/${o.metadata.name}`;

test('watch events become Store watch messages at the object revision', () => {
  const put = watchEvent('MODIFIED', task('t1', '7'), keyOf);
  expect(put).toMatchObject({ type: 'events', revision: 7, events: [{ type: 'put', kv: { key: 'k/t1', modRevision: 7 } }] });
  // resourceVersion is the revision, never part of the stored value
  expect(JSON.parse((put as { events: { kv: { value: string } }[] }).events[0].kv.value).metadata.resourceVersion).toBeUndefined();
  expect(watchEvent('DELETED', task('t1', '9'), keyOf)).toEqual({
    type: 'events',
    revision: 9,
    events: [{ type: 'delete', kv: { key: 'k/t1', value: '', createRevision: 0, modRevision: 9 } }],
  });
  expect(watchEvent('BOOKMARK', { metadata: { resourceVersion: '12' } }, keyOf)).toEqual({ type: 'events', revision: 12, events: [] });
});

test('410 asks for a relist; another error is an error', () => {
  expect(watchEvent('ERROR', { kind: 'Status', code: 410, message: 'too old' }, keyOf)).toEqual({ type: 'relist', reason: 'too old' });
  expect(watchEvent('ERROR', { kind: 'Status', code: 500, message: 'boom' }, keyOf)).toEqual({ type: 'error', message: 'boom' });
});

test('a transaction deleting a Stack and only its objects is a stack removal', () => {
  const del = (key: string) => ({ op: 'delete' as const, key });
  const own = [
    del(objectKey('Stack', '', 'acc')),
    del(objectKey('Service', 'acc', 'web')),
    del(objectKey('Task', 'acc', 't1')),
    del(`${assignmentPrefix('n1')}acc/t1`),
  ];
  expect(stackRemoval(own)).toBe('acc');
  expect(stackRemoval([...own, del(objectKey('Service', 'other', 'web'))])).toBeUndefined();
  expect(stackRemoval([...own, del(`${assignmentPrefix('n1')}other/t1`)])).toBeUndefined();
  expect(stackRemoval([del(objectKey('Service', 'acc', 'web'))])).toBeUndefined();
  expect(stackRemoval([{ op: 'put', key: objectKey('Stack', '', 'acc'), value: '{}' }])).toBeUndefined();
});
