// What every store-backed command needs: the Store named by --store / STACKD_STORE / the default.
import type { Command } from 'commander';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';

export async function withStore<T>(cmd: Command, fn: (store: Store) => Promise<T>): Promise<T> {
  const { store: url } = cmd.optsWithGlobals<{ store?: string }>();
  const store = await openStore(url);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
