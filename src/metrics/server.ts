// --metrics-listen: /healthz (the process is up), /readyz (the store answers; a manager also says
// whether it leads) and /metrics (Prometheus text format).
import { createServer, type Server } from 'node:http';
import { parseListenAddress } from '../gitops/webhook-auth.js';
import type { Store } from '../store/store.js';
import { isLeading, registry } from './metrics.js';

const READY_TIMEOUT_MS = 2000;

async function readiness(store: Store): Promise<{ ok: boolean; body: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.get('/stackd/'),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS))),
    ]);
  } catch (err) {
    return { ok: false, body: `store ${store.endpoint}: ${(err as Error).message}\n` };
  } finally {
    clearTimeout(timer);
  }
  const leader = isLeading();
  // a standby manager is ready too: it is what takes over (leadership is in the body and in stackd_manager_leader)
  return { ok: true, body: `store ${store.endpoint}: ok\n${leader === undefined ? '' : `leader: ${leader ? 'yes' : 'no'}\n`}` };
}

export async function startMetricsServer(addr: string, store: Store): Promise<Server> {
  const { host, port } = parseListenAddress(addr);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => res.writeHead(code, { 'content-type': type }).end(body);
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/healthz') return reply(200, 'ok\n');
    if (path === '/readyz') return void readiness(store).then((r) => reply(r.ok ? 200 : 503, r.body));
    if (path === '/metrics')
      return void registry.metrics().then(
        (m) => reply(200, m, registry.contentType),
        (err: Error) => reply(500, `${err.message}\n`),
      );
    reply(404, 'not found: /healthz, /readyz, /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Runs `fn` with the server up (when `addr` is given) and closes it after. */
export async function withMetricsServer<T>(addr: string | undefined, store: Store, fn: () => Promise<T>): Promise<T> {
  if (!addr) return fn();
  const server = await startMetricsServer(addr, store);
  try {
    return await fn();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
