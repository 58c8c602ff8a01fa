// The API server (--api-listen): HTTPS in front of the Store. Any number of managers may serve
// it: it holds no state of its own beyond its certificate (resourceVersions are Store revisions).
import { createServer, type Server } from 'node:https';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { API_CA_KEY, API_URL_KEY } from '../api/keys.js';
import { parseListenAddress } from '../gitops/webhook-auth.js';
import type { Logger } from '../log.js';
import { resolveStoreLocation } from '../store/open.js';
import type { Store } from '../store/store.js';
import { NodeLeases } from './leases.js';
import { route } from './routes.js';
import { prepareApiTls } from './tls.js';
import { TokenCache } from './token-cache.js';

export interface ApiServerOptions {
  /** [HOST]:PORT */
  listen: string;
  /** where the CA (first start) and the serving certificate are kept */
  stateDir: string;
  caCertFile?: string;
  caKeyFile?: string;
  /** the URL clients are told (kubeconfig's default); else https://<listen host or 127.0.0.1>:PORT */
  advertiseUrl?: string;
  bookmarkIntervalMs?: number;
  log: Logger;
}

/** Beside the embedded store's file, else ~/.stackd/api. */
export function defaultApiStateDir(storeUrl: string | undefined, env = process.env): string {
  const location = resolveStoreLocation(storeUrl, { env, home: homedir(), cwd: process.cwd() });
  return location.kind === 'sqlite' ? join(dirname(location.path), 'api') : join(homedir(), '.stackd', 'api');
}

export async function startApiServer(store: Store, opts: ApiServerOptions): Promise<{ server: Server; url: string; leases: NodeLeases }> {
  const { host, port } = parseListenAddress(opts.listen);
  const tls = await prepareApiTls({
    stateDir: opts.stateDir,
    caCertFile: opts.caCertFile,
    caKeyFile: opts.caKeyFile,
    extraNames: host && host !== '0.0.0.0' ? [host] : [],
  });
  const bookmarkIntervalMs = opts.bookmarkIntervalMs ?? Number(process.env.STACKD_API_BOOKMARK_SECONDS ?? 30) * 1000;
  const leases = new NodeLeases(store);
  const tokens = new TokenCache(store);
  // a client may show a certificate signed by the API's CA (client-certs.ts) instead of a token;
  // one without, or signed by another CA, is still served (then it needs a token)
  const server = createServer(
    { cert: tls.certPem, key: tls.keyPem, ca: tls.caCertPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => void route({ store, bookmarkIntervalMs, leases, tokens }, req, res),
  );
  server.on('close', () => tokens.close());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // until its first list lands, lookups read the Store
  tokens.start();
  const bound = (server.address() as { port: number }).port;
  const url = opts.advertiseUrl ?? `https://${host && host !== '0.0.0.0' ? host : '127.0.0.1'}:${bound}`;
  // clients (stackctl kubeconfig) learn from the Store what to trust and where to go
  await store.txn([
    { op: 'put', key: API_CA_KEY, value: tls.caCertPem },
    { op: 'put', key: API_URL_KEY, value: url },
  ]);
  opts.log.info('API server listening', { url });
  return { server, url, leases };
}

/** Runs `fn` with the API served (when options are given), and closes it after. */
export async function withApiServer<T>(store: Store, opts: ApiServerOptions | undefined, fn: () => Promise<T>): Promise<T> {
  if (!opts) return fn();
  const { server, leases } = await startApiServer(store, opts);
  try {
    return await fn();
  } finally {
    leases.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
