// What every store-backed command needs: the Store named by --store / STACKD_STORE / the default,
// connected with the --store-* TLS and auth flags, each request to it (opening included) bounded
// by --request-timeout.
import { homedir } from 'node:os';
import type { Command } from 'commander';
import { storeWithDeadline, withinDeadline } from '../store/deadline.js';
import { describeStoreLocation, openStore, resolveStoreLocation } from '../store/open.js';
import type { Store } from '../store/store.js';
import type { StoreFlags } from '../store/flags.js';
import { parseDuration } from '../stackfile/units.js';
import { InputError } from '../errors.js';

export const DEFAULT_REQUEST_TIMEOUT = '10s';

/** --request-timeout in milliseconds (0: no bound). */
export function requestTimeoutMs(cmd: Command): number {
  const { requestTimeout } = cmd.optsWithGlobals<{ requestTimeout?: string }>();
  try {
    return parseDuration(requestTimeout ?? DEFAULT_REQUEST_TIMEOUT);
  } catch (err) {
    throw new InputError([`--request-timeout: ${(err as Error).message}`]);
  }
}

export async function withStore<T>(cmd: Command, fn: (store: Store) => Promise<T>): Promise<T> {
  const flags = cmd.optsWithGlobals<StoreFlags>();
  const ms = requestTimeoutMs(cmd);
  const endpoint = describeStoreLocation(resolveStoreLocation(flags.store, { env: process.env, home: homedir(), cwd: process.cwd() }));
  const opening = openStore(flags.store, flags);
  // a store that answers after we gave up must not stay open
  const store = storeWithDeadline(
    await withinDeadline(opening, endpoint, ms).catch((err: unknown) => {
      void opening.then(
        (s) => s.close(),
        () => undefined,
      );
      throw err;
    }),
    ms,
  );
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
