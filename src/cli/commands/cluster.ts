// cluster status: the managers (which leads, since when), the etcd members (health, leader, DB
// size, raft index) and the nodes, in one look.
import { homedir } from 'node:os';
import type { Command } from 'commander';
import { MANAGER_ELECTION, MANAGER_PREFIX } from '../../api/keys.js';
import type { Node } from '../../api/objects.js';
import { listObjects } from '../../client/objects.js';
import { loadEtcdSecurity, resolveConnectSettings } from '../../store/connect.js';
import { describeStoreLocation, resolveStoreLocation } from '../../store/open.js';
import { electionPrefix } from '../../store/store-election.js';
import type { StoreFlags } from '../../store/flags.js';
import type { EtcdMemberStatus } from '../../store/etcd-members.js';
import { apiClientFor, withStore } from '../context.js';
import { clusterStatus, renderClusterStatus } from '../cluster-view.js';
import { parseFormat } from '../format.js';

/** The etcd members behind the store, or null on the embedded store. */
async function membersOf(flags: StoreFlags): Promise<EtcdMemberStatus[] | null> {
  const location = resolveStoreLocation(flags.store, { env: process.env, home: homedir(), cwd: process.cwd() });
  if (location.kind !== 'etcd') return null;
  const security = await loadEtcdSecurity(resolveConnectSettings(flags, process.env), location.tls === true, describeStoreLocation(location));
  const { etcdMembers } = await import('../../store/etcd-members.js');
  return etcdMembers(location.endpoints, security);
}

export function registerClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('The control plane itself');
  cluster
    .command('status')
    .description('Managers (which one leads, since when), etcd members (health, leader, DB size, raft index) and nodes')
    .option('--format <format>', 'table or json', 'table')
    .action(async (opts: { format: string }, cmd: Command) => {
      const format = parseFormat(opts.format);
      const flags = cmd.optsWithGlobals<StoreFlags>();
      // through the API, etcd is the managers' alone: its members are not shown
      const remote = await apiClientFor(cmd);
      await withStore(cmd, async (store) => {
        const [presence, campaigners, nodes, etcd] = await Promise.all([
          store.list(MANAGER_PREFIX),
          store.list(electionPrefix(MANAGER_ELECTION)),
          listObjects<Node>(store, 'Node'),
          remote ? null : membersOf(flags),
        ]);
        const status = clusterStatus(store.endpoint, presence.items, campaigners.items, etcd, nodes.items);
        process.stdout.write(format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : renderClusterStatus(status));
      });
    });
}
