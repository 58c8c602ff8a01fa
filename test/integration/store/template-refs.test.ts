// Tasks keep their template by reference in the store (src/store/template-store.ts): the bytes
// stored are the task without its template, every reader sees the whole task, and records written
// before references read as they are.
import { join } from 'node:path';
import { firstValueFrom, filter } from 'rxjs';
import { decodeObject, encodeObject, encodeStoredTask } from '../../../src/client/codec.js';
import type { Task } from '../../../src/api/objects.js';
import { openEmbeddedStore } from '../../../src/store/embedded.js';
import type { Store } from '../../../src/store/store.js';
import { TemplateRefStore } from '../../../src/store/template-store.js';
import { tempDir } from '../../helpers/cli.js';

let raw: Store;
let store: TemplateRefStore;

beforeAll(async () => {
  raw = await openEmbeddedStore(join(tempDir(), 'state.db'));
  store = new TemplateRefStore(raw);
});
afterAll(() => raw.close());

const template = { image: 'stackd/busybox:latest', environment: { REVISION: '1' }, deploy: { replicas: 2 }, labels: { big: 'x'.repeat(2000) } };
const task = (name: string, node?: string) =>
  JSON.stringify({
    kind: 'Task',
    metadata: { name, namespace: 'app' },
    spec: { service: 'web', nodeName: node, specHash: 'h1', template },
    status: { state: 'assigned' },
  });

describe('TemplateRefStore', () => {
  it('stores a task and its assignment copy without the template, and reads them whole', async () => {
    const res = await store.txn([
      { op: 'create', key: '/stackd/tasks/app/t1', value: task('t1', 'n1') },
      { op: 'put', key: '/stackd/assignments/n1/app/t1', value: task('t1', 'n1') },
    ]);
    expect(res.succeeded).toBe(true);
    const stored = (await raw.get('/stackd/tasks/app/t1'))!.value;
    expect(stored.length).toBeLessThan(400);
    const ref = JSON.parse(stored).spec.templateRef as string;
    expect(JSON.parse((await raw.get(ref))!.value)).toEqual(template);
    expect(JSON.parse((await raw.get('/stackd/assignments/n1/app/t1'))!.value).spec.templateRef).toBe(ref);
    expect((await raw.list('/stackd/templates/')).items).toHaveLength(1);

    expect((await store.get('/stackd/tasks/app/t1'))!.value).toBe(task('t1', 'n1'));
    expect((await store.list('/stackd/assignments/n1/')).items.map((kv) => kv.value)).toEqual([task('t1', 'n1')]);
  });

  it('lets another process (no template cached) read and watch whole tasks', async () => {
    const other = new TemplateRefStore(raw);
    const from = (await raw.list('/stackd/tasks/')).revision + 1;
    const seen = firstValueFrom(other.watch('/stackd/tasks/', from).pipe(filter((m) => m.type === 'events')));
    await store.txn([{ op: 'create', key: '/stackd/tasks/app/t2', value: task('t2') }]);
    const msg = await seen;
    expect(msg.type === 'events' && msg.events.map((e) => e.kv.value)).toEqual([task('t2')]);
    expect((await new TemplateRefStore(raw).get('/stackd/tasks/app/t2'))!.value).toBe(task('t2'));
  });

  it('reads a task written before references as it is, and compare-and-swaps on it', async () => {
    await raw.txn([{ op: 'create', key: '/stackd/tasks/app/old', value: task('old') }]);
    const kv = (await store.get('/stackd/tasks/app/old'))!;
    expect(kv.value).toBe(task('old'));
    const res = await store.txn([{ op: 'update', key: kv.key, value: task('old', 'n2'), revision: kv.modRevision }]);
    expect(res.succeeded).toBe(true);
    expect(JSON.parse((await raw.get(kv.key))!.value).spec.templateRef).toMatch(/^\/stackd\/templates\/app\//);
    expect((await store.get(kv.key))!.value).toBe(task('old', 'n2'));
  });

  it('decodes tasks of one revision with one shared, frozen template, equal to a plain decode', async () => {
    const { items } = await store.list('/stackd/tasks/app/');
    const [a, b] = items.filter((kv) => kv.key.endsWith('/t1') || kv.key.endsWith('/t2')).map((kv) => decodeObject<Task>(kv));
    expect(a.spec.template).toBe(b.spec.template);
    expect(Object.isFrozen(a.spec.template.deploy)).toBe(true);
    const plain = JSON.parse(task('t1', 'n1')) as Task;
    expect({ ...a, metadata: { ...a.metadata, resourceVersion: undefined } }).toEqual({ ...plain, metadata: { ...plain.metadata, resourceVersion: undefined } });
    expect(Object.keys(a.spec)).toEqual(Object.keys(plain.spec));
  });

  it('writes a task read through the store back by reference, and reads it whole', async () => {
    const kv = (await store.get('/stackd/tasks/app/t1'))!;
    const read = decodeObject<Task>(kv);
    const next: Task = { ...read, status: { ...read.status!, state: 'running', timestamp: '2026-12-08T00:00:00.000Z', message: 'started' } };
    const value = encodeStoredTask(next);
    expect(value).not.toContain('"image"');
    expect(JSON.parse(value).spec.templateRef).toBe(JSON.parse((await raw.get(kv.key))!.value).spec.templateRef);
    expect((await store.txn([{ op: 'update', key: kv.key, value, revision: kv.modRevision }])).succeeded).toBe(true);
    expect((await store.get(kv.key))!.value).toBe(encodeObject(next));
  });

  it('writes a remembered template first where the store lacks it (another store of the process)', async () => {
    const read = decodeObject<Task>((await store.get('/stackd/tasks/app/t2'))!);
    const otherRaw = await openEmbeddedStore(join(tempDir(), 'other.db'));
    try {
      const other = new TemplateRefStore(otherRaw);
      expect((await other.txn([{ op: 'create', key: '/stackd/tasks/app/t2', value: encodeStoredTask(read) }])).succeeded).toBe(true);
      expect((await otherRaw.list('/stackd/templates/')).items.map((t) => JSON.parse(t.value))).toEqual([template]);
      expect((await new TemplateRefStore(otherRaw).get('/stackd/tasks/app/t2'))!.value).toBe(task('t2'));
    } finally {
      await otherRaw.close();
    }
  });
});
