// What every store-backed command needs: the Store named by --store / STACKD_STORE / the default,
// connected with the --store-* TLS and auth flags.
import type { Command } from 'commander';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import type { StoreFlags } from '../store/flags.js';

export async function withStore<T>(cmd: Command, fn: (store: Store) => Promise<T>): Promise<T> {
  const flags = cmd.optsWithGlobals<StoreFlags>();
  const store = await openStore(flags.store, flags);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
