import type { GitSource } from '../../../src/api/objects.js';
import { syncDue } from '../../../src/gitops/controller.js';

function source(over: { annotations?: Record<string, string>; generation?: number; status?: GitSource['status'] } = {}): GitSource {
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'GitSource',
    metadata: {
      name: 's',
      namespace: '',
      uid: 'u',
      generation: over.generation ?? 1,
      resourceVersion: '9',
      labels: {},
      annotations: over.annotations ?? {},
      creationTimestamp: '',
      ownerReferences: [],
    },
    spec: { repo: 'file:///r', branch: 'main', path: '.', interval: '1m', prune: false, suspend: false },
    status: over.status ?? { observedGeneration: 1 },
  };
}

describe('syncDue', () => {
  test('the first time (a new leader), a sync is due', () => {
    expect(syncDue(source(), undefined, 0)).toEqual({ due: true, inMs: 0 });
  });

  test('between intervals, not due: says when', () => {
    expect(syncDue(source(), 1000, 21_000)).toEqual({ due: false, inMs: 40_000 });
    expect(syncDue(source(), 1000, 61_000)).toEqual({ due: true, inMs: 0 });
  });

  test('a request not yet handled, or a changed spec, makes it due at once', () => {
    expect(
      syncDue(source({ annotations: { 'stackd.io/requestedAt': 't2' }, status: { observedGeneration: 1, lastHandledRequestedAt: 't1' } }), 1000, 2000).due,
    ).toBe(true);
    expect(
      syncDue(source({ annotations: { 'stackd.io/requestedAt': 't1' }, status: { observedGeneration: 1, lastHandledRequestedAt: 't1' } }), 1000, 2000).due,
    ).toBe(false);
    expect(syncDue(source({ generation: 2 }), 1000, 2000).due).toBe(true);
  });
});
