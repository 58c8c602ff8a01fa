import type { Resource } from '../../../src/api/meta.js';
import { RESOURCES } from '../../../src/apiserver/resources.js';
import { objectCodec, WatchTranslator } from '../../../src/apiserver/watch-events.js';
import type { WatchEvent } from '../../../src/store/store.js';

const tasks = RESOURCES.find((r) => r.kind === 'Task')!;
const key = '/stackd/tasks/accounts/t1';
const obj = (node: string) => ({ apiVersion: 'stackd.io/v1', kind: 'Task', metadata: { name: 't1', namespace: 'accounts', labels: {} }, spec: { nodeName: node } });
const put = (node: string, create: number, mod: number): WatchEvent => ({
  type: 'put',
  kv: { key, value: JSON.stringify(obj(node)), createRevision: create, modRevision: mod },
});
const del = (mod: number): WatchEvent => ({ type: 'delete', kv: { key, value: '', createRevision: 0, modRevision: mod } });
const onN1 = (o: Resource) => (o.spec as { nodeName: string }).nodeName === 'n1';

test('created, modified, deleted; resourceVersion is the revision', () => {
  const w = new WatchTranslator(objectCodec(tasks), () => true);
  expect(w.translate(put('n1', 5, 5))).toMatchObject({ type: 'ADDED', object: { metadata: { resourceVersion: '5' } } });
  expect(w.translate(put('n1', 5, 6))?.type).toBe('MODIFIED');
  expect(w.translate(del(7))).toMatchObject({ type: 'DELETED', object: { spec: { nodeName: 'n1' }, metadata: { resourceVersion: '7' } } });
});

test('an object entering the selector is ADDED, leaving it DELETED, never seen: nothing', () => {
  const w = new WatchTranslator(objectCodec(tasks), onN1);
  expect(w.translate(put('', 5, 5))).toBeUndefined();
  expect(w.translate(put('n1', 5, 6))?.type).toBe('ADDED');
  expect(w.translate(put('n2', 5, 7))?.type).toBe('DELETED');
  expect(w.translate(del(8))).toBeUndefined();
});

test('a deletion of an object the watcher never saw names it from its key', () => {
  const w = new WatchTranslator(objectCodec(tasks), () => true);
  expect(w.translate(del(9))).toMatchObject({ type: 'DELETED', object: { kind: 'Task', metadata: { namespace: 'accounts', name: 't1', resourceVersion: '9' } } });
});
