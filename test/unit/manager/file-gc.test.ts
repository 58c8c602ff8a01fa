import type { Config, Service, Task } from '../../../src/api/objects.js';
import { unusedFileVersions } from '../../../src/manager/file-gc.js';
import type { ServiceSpec } from '../../../src/stackfile/types.js';

const meta = (name: string) => ({
  name,
  namespace: 'app',
  uid: name,
  generation: 1,
  resourceVersion: '1',
  labels: {},
  annotations: {},
  creationTimestamp: '',
  ownerReferences: [],
});
const config = (name: string): Config => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Config',
  metadata: meta(name),
  spec: { stack: 'app', name: 'app_c', data: '', sha256: '', labels: {} },
});
const template = (version?: string): ServiceSpec =>
  ({ configs: [{ source: 'c', target: '/c', uid: '0', gid: '0', mode: 0o444, ...(version ? { version } : {}) }], secrets: [] }) as unknown as ServiceSpec;
const service = (t: ServiceSpec, revisions: ServiceSpec[] = []): Service => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Service',
  metadata: meta('web'),
  spec: { stack: 'app', template: t },
  status: { revisions: revisions.map((r, i) => ({ revision: i + 1, hash: String(i), template: r, createdAt: '', change: '' })) },
});
const task = (t: ServiceSpec): Task => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Task',
  metadata: meta('t1'),
  spec: { stack: 'app', service: 'web', desiredState: 'shutdown', specHash: 'h', template: t },
});

const A = 'aaaaaaaaaaaa';
const B = 'bbbbbbbbbbbb';
const C = 'cccccccccccc';

describe('unusedFileVersions', () => {
  const files = [config(`c-${A}`), config(`c-${B}`), config(`c-${C}`)];

  it('keeps versions the template, a kept revision or any task refers to; deletes the rest', () => {
    const unused = unusedFileVersions(files, [service(template(C), [template(B)])], [task(template(B))]);
    expect(unused.map((f) => f.metadata.name)).toEqual([`c-${A}`]);
  });

  it('keeps a version an old task still mounts', () => {
    expect(unusedFileVersions(files, [service(template(C))], [task(template(A))]).map((f) => f.metadata.name)).toEqual([`c-${B}`]);
  });

  it('never collects an unversioned object', () => {
    expect(unusedFileVersions([config('c')], [], [])).toEqual([]);
  });
});
