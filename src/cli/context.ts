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
import type { ClientApiFlags } from '../apiserver-client/connect.js';
import type { KubeConfig } from '@kubernetes/client-node';

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

/** The API client the command is asked to use (--server/--kubeconfig/STACKD_KUBECONFIG), if any. */
export async function apiClientFor(cmd: Command): Promise<{ kc: KubeConfig; server: string } | undefined> {
  // the program's own flags: `kubeconfig --server` is another option (the URL to print)
  let root = cmd;
  while (root.parent) root = root.parent;
  const apiFlags = root.opts<ClientApiFlags>();
  // the API client (@kubernetes/client-node) is imported only when asked for: it costs start-up
  if (!(apiFlags.server || apiFlags.kubeconfig || process.env.STACKD_KUBECONFIG)) return undefined;
  return (await import('../apiserver-client/connect.js')).clientKubeConfig(apiFlags);
}

export async function withStore<T>(cmd: Command, fn: (store: Store) => Promise<T>): Promise<T>;
export async function withStore<T>(cmd: Command, how: { remote: boolean }, fn: (store: Store) => Promise<T>): Promise<T>;
export async function withStore<T>(cmd: Command, a: unknown, b?: unknown): Promise<T> {
  const fn = (b ?? a) as (store: Store) => Promise<T>;
  const how = (b ? a : { remote: true }) as { remote: boolean };
  const flags = cmd.optsWithGlobals<StoreFlags>();
  // through the API server instead (--server/--kubeconfig): only what it serves works
  const remote = how.remote ? await apiClientFor(cmd) : undefined;
  if (remote) {
    const { ApiStore } = await import('../apiserver-client/api-store.js');
    const api = storeWithDeadline(new ApiStore(remote.kc, remote.server, 'spec'), requestTimeoutMs(cmd));
    try {
      return await fn(api);
    } finally {
      await api.close();
    }
  }
  const ms = requestTimeoutMs(cmd);
  const endpoint = describeStoreLocation(resolveStoreLocation(flags.store, { env: process.env, home: homedir(), cwd: process.cwd() }));
  const opening = openStore(flags.store, flags, { httpReads: true });
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
