// Which Store to open: --store, else STACKD_STORE, else the embedded store in ~/.stackd/state.db.
//   etcd://h1:2379,h2:2379      etcd cluster endpoints
//   etcds://h1:2379,h2:2379     the same over TLS (CA, client certificate: see connect.ts)
//   sqlite:///var/lib/state.db  embedded store, absolute path
//   sqlite://state.db           embedded store, path relative to the working directory (~/ allowed)
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Store } from './store.js';
import { loadEtcdSecurity, loadSealer, resolveConnectSettings, type StoreConnectFlags } from './connect.js';
import type { SealedStore } from './sealed-store.js';
import { ENCRYPTION_MARKER_KEY, SEALED_PREFIXES } from '../api/keys.js';

export type StoreLocation = { kind: 'etcd'; endpoints: string[]; tls?: true } | { kind: 'sqlite'; path: string; isDefault?: boolean };

export const STORE_URL_FORMS = 'etcd://host:2379[,host:2379...], etcds://host:2379[,...] (TLS), sqlite:///absolute/path.db or sqlite://relative/path.db';

export interface StoreUrlContext {
  env: Record<string, string | undefined>;
  home: string;
  cwd: string;
}

/** The store named by the flag, else STACKD_STORE, else the default file. Pure. */
export function resolveStoreLocation(flag: string | undefined, ctx: StoreUrlContext): StoreLocation {
  if (flag) return parseStoreUrl(flag, ctx, '--store');
  const fromEnv = ctx.env.STACKD_STORE;
  if (fromEnv) return parseStoreUrl(fromEnv, ctx, 'STACKD_STORE');
  return { kind: 'sqlite', path: join(ctx.home, '.stackd', 'state.db'), isDefault: true };
}

/** Parses one store URL; `source` names where it came from in the error. Pure. */
export function parseStoreUrl(url: string, ctx: Omit<StoreUrlContext, 'env'>, source = 'store'): StoreLocation {
  const invalid = (why: string) => new Error(`invalid ${source} "${url}": ${why}; use ${STORE_URL_FORMS}`);
  const match = /^([a-z0-9+]+):\/\/(.*)$/i.exec(url.trim());
  if (!match) throw invalid('not a URL');
  const [, scheme, rest] = match;
  switch (scheme.toLowerCase()) {
    case 'etcd':
    case 'etcds': {
      const endpoints = rest
        .replace(/\/+$/, '')
        .split(',')
        .map((e) => e.trim());
      const bad = endpoints.find((e) => !/^[^\s:/,]+(:\d{1,5})?$/.test(e));
      if (bad !== undefined) throw invalid(bad ? `bad endpoint "${bad}"` : 'empty endpoint');
      const location: StoreLocation = { kind: 'etcd', endpoints: endpoints.map((e) => (e.includes(':') ? e : `${e}:2379`)) };
      if (scheme.toLowerCase() === 'etcds') location.tls = true;
      return location;
    }
    case 'sqlite': {
      if (!rest) throw invalid('no file path');
      const path = rest.startsWith('~/') ? join(ctx.home, rest.slice(2)) : resolve(ctx.cwd, rest);
      return { kind: 'sqlite', path };
    }
    default:
      throw invalid(`unknown scheme "${scheme}"`);
  }
}

/** The location as a URL, for messages: "etcd://h1:2379,h2:2379", "sqlite:///home/me/.stackd/state.db". */
export function describeStoreLocation(location: StoreLocation): string {
  if (location.kind === 'sqlite') return `sqlite://${location.path}`;
  return `${location.tls ? 'etcds' : 'etcd'}://${location.endpoints.join(',')}`;
}

/** Opens the store named by `url` (a --store value), STACKD_STORE or the default; `flags` are the
 *  --store-cacert/-cert/-key/-user/-password-file values (etcd only; the SQLite file ignores them).
 *  Each backend is loaded only when used, so a CLI on SQLite never loads gRPC and one on etcd never
 *  loads SQLite. `httpReads`: etcd's gets and lists through its JSON gateway (the CLI: most commands
 *  only read, and loading the gRPC client costs more than the read). */
export async function openStore(url?: string, flags: StoreConnectFlags = {}, opts: { httpReads?: boolean } = {}): Promise<SealedStore> {
  // secrets are sealed with --encryption-key-file; always wrapped, so that a process without the
  // key says so instead of handing ciphertext on
  const sealer = await loadSealer(flags, process.env);
  // imported here: a CLI that stops at a usage error never needs them
  const { SealedStore } = await import('./sealed-store.js');
  const { TemplateRefStore } = await import('./template-store.js');
  // tasks carry their template by reference (template-store.ts), for every process alike
  const inner = new TemplateRefStore(await openBackend(url, flags, opts.httpReads));
  return new SealedStore(inner, sealer, { prefixes: SEALED_PREFIXES, markerKey: ENCRYPTION_MARKER_KEY });
}

async function openBackend(url: string | undefined, flags: StoreConnectFlags, httpReads = false): Promise<Store> {
  const location = resolveStoreLocation(url, { env: process.env, home: homedir(), cwd: process.cwd() });
  if (location.kind === 'etcd') {
    const security = await loadEtcdSecurity(resolveConnectSettings(flags, process.env), location.tls === true, describeStoreLocation(location));
    const { openEtcdStore } = await import('./etcd.js');
    return openEtcdStore(location.endpoints, { security, httpReads });
  }
  if (location.isDefault) mkdirSync(dirname(location.path), { recursive: true, mode: 0o700 });
  const { openEmbeddedStore } = await import('./embedded.js');
  return openEmbeddedStore(location.path);
}
