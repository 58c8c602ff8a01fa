// The store flags stackctl and every stackd mode share, so both binaries connect alike.
import type { Command } from 'commander';
import type { StoreConnectFlags } from './connect.js';

export const STORE_FLAG_HELP =
  'state store: etcd://h1:2379,h2:2379, etcds://h1:2379 (TLS) or sqlite:///path/state.db (env STACKD_STORE; default ~/.stackd/state.db)';

export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--store <url>', STORE_FLAG_HELP)
    .option('--store-cacert <file>', "CA certificate that signed etcd's (etcds://; env STACKD_STORE_CACERT)")
    .option('--store-cert <file>', 'client certificate for etcd (etcds://; env STACKD_STORE_CERT)')
    .option('--store-key <file>', "client certificate's key (etcds://; env STACKD_STORE_KEY)")
    .option('--store-user <name>', 'etcd user, where etcd auth is on (env STACKD_STORE_USER)')
    .option('--store-password-file <file>', "file holding the etcd user's password (or env STACKD_STORE_PASSWORD)")
    .option(
      '--encryption-key-file <file>',
      'keys that encrypt secrets at rest, one base64 32-byte key per line; the first encrypts, all decrypt (env STACKD_ENCRYPTION_KEY_FILE)',
    );
}

export type StoreFlags = StoreConnectFlags & { store?: string };
