// cluster status: who leads comes from the oldest election key, not from what a manager says of itself.
import { clusterStatus, managerRows, renderClusterStatus } from '../../../src/cli/cluster-view.js';
import type { KeyValue } from '../../../src/store/store.js';

const kv = (key: string, value: string, createRevision: number): KeyValue => ({ key, value, createRevision, modRevision: createRevision });
const record = (identity: string, startedAt: string, extra: object = {}) => JSON.stringify({ identity, host: 'h', pid: 1, startedAt, ...extra });

const presence = [
  kv('/stackd/managers/a', record('a', '2026-01-01T00:00:00Z', { leaderSince: '2026-01-01T00:00:01Z' }), 5),
  kv('/stackd/managers/b', record('b', '2026-01-01T00:00:02Z', { address: '127.0.0.1:9464', leaderSince: '2026-01-01T00:00:09Z' }), 6),
  kv('/stackd/managers/c', record('c', '2026-01-01T00:00:01Z'), 7),
];

test('the leader is the campaigner with the oldest election key, listed first; a stale leaderSince does not make one', () => {
  const campaigners = [kv('/e/2', 'a', 20), kv('/e/1', 'b', 12), kv('/e/3', 'c', 30)];
  expect(managerRows(presence, campaigners).map((m) => [m.identity, m.status])).toEqual([
    ['b', 'leader'],
    ['a', 'standby'],
    ['c', 'standby'],
  ]);
});

test('nobody leads while no one campaigns', () => {
  expect(managerRows(presence, []).every((m) => m.status === 'standby')).toBe(true);
});

test('the table names the leader, the etcd members and the nodes; the embedded store has no members', () => {
  const s = clusterStatus(
    'etcds://x:1',
    presence,
    [kv('/e/1', 'b', 1)],
    [
      { name: 'm0', id: '1', endpoint: 'https://x:1', healthy: true, leader: true, dbSizeBytes: 2 * 1024 * 1024, raftIndex: 42, raftTerm: 3, version: '3.4.23' },
      { name: 'm1', id: '2', endpoint: 'https://x:3', healthy: false, leader: false, error: 'connect ECONNREFUSED' },
    ],
    [],
  );
  const text = renderClusterStatus(s, new Date('2026-01-01T00:01:09Z'));
  expect(text).toMatch(/^b\s+127\.0\.0\.1:9464\s+Leader\s+2026-01-01T00:00:09Z \(leading 1 minute\)$/m);
  expect(text).toMatch(/^m0\s+https:\/\/x:1\s+healthy\s+yes\s+2\.0 MB\s+3\s+42\s+3\.4\.23$/m);
  expect(text).toMatch(/^m1\s+https:\/\/x:3\s+unhealthy: connect ECONNREFUSED$/m);
  expect(renderClusterStatus(clusterStatus('sqlite:///s.db', [], [], null, []))).toContain('embedded store sqlite:///s.db: no etcd members');
});
