// The etcd cluster's own view of itself for `stackctl cluster status`: its members (etcd's Cluster
// API) and each member's status (the Maintenance API: leader, DB size, raft index), asked of
// each member directly so a dead member shows as unreachable rather than hiding behind the others.
import { Etcd3, type IOptions } from 'etcd3';
import type { EtcdSecurity } from './connect.js';
import { etcdSecurityOptions } from './etcd-security.js';

export interface EtcdMemberStatus {
  name: string;
  id: string;
  endpoint: string;
  healthy: boolean;
  /** this member leads the raft group */
  leader: boolean;
  dbSizeBytes?: number;
  raftIndex?: number;
  raftTerm?: number;
  version?: string;
  /** why it is not healthy */
  error?: string;
}

type FaultPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;
// one attempt each: a status report must not sit in the client's retries
const once = {
  execute: async <T>(fn: (c: { signal: AbortSignal; attempt: number }) => T) => fn({ signal: new AbortController().signal, attempt: 0 }),
} as unknown as FaultPolicy;

function client(hosts: string[], security: EtcdSecurity, timeoutMs: number): Etcd3 {
  return new Etcd3({
    ...etcdSecurityOptions(hosts, security),
    faultHandling: { host: () => once, global: once },
    defaultCallOptions: () => ({ deadline: Date.now() + timeoutMs }),
  });
}

/** Every member of the cluster behind `endpoints`, with its status or why it gave none. */
export async function etcdMembers(endpoints: string[], security: EtcdSecurity = {}, timeoutMs = 3000): Promise<EtcdMemberStatus[]> {
  const any = client(endpoints, security, timeoutMs);
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by the assignment in the try below
  let members;
  try {
    members = (await any.cluster.memberList({})).members;
  } finally {
    any.close();
  }
  const statuses = await Promise.all(
    members.map(async (m): Promise<EtcdMemberStatus> => {
      const endpoint = m.clientURLs[0] ?? '';
      const base = { name: m.name || '(not started)', id: BigInt(m.ID).toString(16), endpoint, healthy: false, leader: false };
      if (!endpoint) return { ...base, error: 'not started' };
      const one = client([endpoint], security, timeoutMs);
      try {
        const s = await one.maintenance.status();
        return {
          ...base,
          healthy: s.errors.length === 0,
          leader: s.leader === m.ID,
          dbSizeBytes: Number(s.dbSize),
          raftIndex: Number(s.raftIndex),
          raftTerm: Number(s.raftTerm),
          version: s.version,
          ...(s.errors.length ? { error: s.errors.join('; ') } : {}),
        };
      } catch (err) {
        return { ...base, error: (err as Error).message.split('\n')[0] };
      } finally {
        one.close();
      }
    }),
  );
  return statuses.sort((a, b) => a.name.localeCompare(b.name));
}
