import type { GitSource } from '../../../src/api/objects.js';
import { renderStatus, shortRevision, sourceRow } from '../../../src/gitops/views.js';

const src: GitSource = {
  apiVersion: 'stackd.io/v1',
  kind: 'GitSource',
  metadata: { name: 'app', namespace: '', uid: 'u', generation: 1, resourceVersion: '3', labels: {}, annotations: {}, creationTimestamp: '', ownerReferences: [] },
  spec: { repo: 'file:///r.git', branch: 'main', path: 'stacks', interval: '1m', prune: true, suspend: false },
  status: {
    lastAppliedRevision: 'main@0123456789abcdef0123',
    lastAttemptedRevision: 'main@fedcba',
    driftCorrected: ['web'],
    conditions: [{ type: 'Ready', status: 'False', reason: 'ValidationFailed', message: 'not valid:\na.yml:1:1 x', lastTransitionTime: '' }],
    stacks: [{ stack: 'web', file: 'stacks/web/stack.yml', result: 'rolled out' }],
  },
};

test('ls row: Ready, short revision, message', () => {
  expect(sourceRow(src)).toMatchObject({ ready: 'False', revision: 'main@0123456789abcdef0123', message: 'not valid:' });
  expect(shortRevision('main@0123456789abcdef0123')).toBe('main@0123456789ab');
  expect(sourceRow({ ...src, status: undefined })).toMatchObject({ ready: 'Unknown', message: 'waiting for the first sync' });
});

test('status text: revisions, drift, conditions (continuation lines indented), stacks', () => {
  expect(renderStatus(src)).toBe(`Name:                 app
Repository:           file:///r.git (branch main, path stacks)
Interval:             1m
Prune:                true
Last applied:         main@0123456789abcdef0123
Last attempted:       main@fedcba
Drift corrected:      web
Conditions:
  Ready        False   ValidationFailed: not valid:
      a.yml:1:1 x
Stacks:
  web                  rolled out   stacks/web/stack.yml
`);
});
