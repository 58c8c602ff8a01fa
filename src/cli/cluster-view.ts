// What `stackctl cluster status` shows, built from what was read (pure): the managers (who leads,
// since when), the etcd members and the nodes.
import type { KeyValue } from '../store/store.js';
import type { Node } from '../api/objects.js';
import type { ManagerRecord } from '../manager/presence.js';
import type { EtcdMemberStatus } from '../store/etcd-members.js';
import { ago, nodeRow, type NodeRow } from '../views/rows.js';
import { renderTable } from './format.js';

export interface ManagerRow extends ManagerRecord {
  status: 'leader' | 'standby';
}

export interface ClusterStatus {
  store: string;
  managers: ManagerRow[];
  /** null on the embedded store (no etcd), and through the API (etcd is the managers') */
  etcd: EtcdMemberStatus[] | null;
  nodes: NodeRow[];
}

/** Managers from their presence keys; the leader is the campaigner whose election key is oldest
 *  (store-election.ts). The leader first, then by start time. */
export function managerRows(presence: KeyValue[], campaigners: KeyValue[]): ManagerRow[] {
  const oldest = [...campaigners].sort((a, b) => a.createRevision - b.createRevision)[0]?.value;
  const rows = presence.map((kv): ManagerRow => {
    const r = JSON.parse(kv.value) as ManagerRecord;
    return { ...r, status: r.identity === oldest ? 'leader' : 'standby' };
  });
  return rows.sort((a, b) => Number(b.status === 'leader') - Number(a.status === 'leader') || a.startedAt.localeCompare(b.startedAt));
}

export function clusterStatus(store: string, presence: KeyValue[], campaigners: KeyValue[], etcd: EtcdMemberStatus[] | null, nodes: Node[]): ClusterStatus {
  return { store, managers: managerRows(presence, campaigners), etcd, nodes: nodes.map(nodeRow) };
}

function bytes(n: number | undefined): string {
  if (n === undefined) return '';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The three tables, each under its heading. */
export function renderClusterStatus(s: ClusterStatus, now = new Date()): string {
  const managers = renderTable(
    ['MANAGER', 'ADDRESS', 'STATUS', 'SINCE'],
    s.managers.map((m) => {
      const since = m.status === 'leader' ? m.leaderSince : m.startedAt;
      return [
        m.identity,
        m.address ?? m.host,
        m.status === 'leader' ? 'Leader' : 'Standby',
        since ? `${since} (${m.status === 'leader' ? 'leading' : 'up'} ${ago(since, now).replace(/ ago$/, '')})` : '',
      ];
    }),
  );
  const etcd =
    s.etcd === null
      ? s.store.startsWith('https://')
        ? `through the API server ${s.store}: the etcd members are the managers' (stackctl --store next to etcd shows them)\n`
        : `embedded store ${s.store}: no etcd members\n`
      : renderTable(
          ['MEMBER', 'ENDPOINT', 'HEALTH', 'LEADER', 'DB SIZE', 'RAFT TERM', 'RAFT INDEX', 'VERSION'],
          s.etcd.map((m) => [
            m.name,
            m.endpoint,
            m.healthy ? 'healthy' : `unhealthy: ${m.error ?? ''}`.trim(),
            m.leader ? 'yes' : '',
            bytes(m.dbSizeBytes),
            String(m.raftTerm ?? ''),
            String(m.raftIndex ?? ''),
            m.version ?? '',
          ]),
        );
  const nodes = renderTable(
    ['NODE', 'STATUS', 'AVAILABILITY', 'ROLE', 'ENGINE VERSION'],
    s.nodes.map((n) => [n.name, n.status, n.availability, n.role, n.engine]),
  );
  return `MANAGERS\n${managers}\nETCD (${s.store})\n${etcd}\nNODES\n${nodes}`;
}
