// The web console (--ui-listen): plain node http. Static files from the package's console/ folder
// and preact + htm from node_modules (nothing from the internet), one SSE stream fed by the
// Store's watch (feed.ts), and POST /api/actions for the confirmed actions (admin only).
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { authenticate, type Identity } from '../apiserver/tokens.js';
import { parseListenAddress } from '../gitops/webhook-auth.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { type ActionRequest, checkAction, runAction } from './actions.js';
import { decide, isLoopback, type Need, tokenFromCookie } from './auth.js';
import { ConsoleFeed } from './feed.js';

const pkg = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
/** URL path -> file in the package: the ES modules of preact and htm (the page's import map names
 *  them); the console's own files are under console/ (consoleFile) */
const FILES: Record<string, string> = {
  '/': 'console/index.html',
  '/vendor/preact.mjs': 'node_modules/preact/dist/preact.mjs',
  '/vendor/hooks.mjs': 'node_modules/preact/hooks/dist/hooks.mjs',
  '/vendor/htm.mjs': 'node_modules/htm/dist/htm.mjs',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript', mjs: 'text/javascript', css: 'text/css' };

/** The file of a URL path: a vendor module, or a .js/.css file under console/ (names of letters,
 *  digits and dashes only: no way out of the folder). */
export function consoleFile(path: string): string | undefined {
  if (FILES[path]) return FILES[path];
  return /^\/(?:[a-z0-9-]+\/)?[a-z0-9-]+\.(?:js|css)$/.test(path) ? `console${path}` : undefined;
}

/** The host name of a Host header ("127.0.0.1:8090", "[::1]:8090", "localhost"). */
export function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^\[([^\]]+)\]/.exec(header);
  return m ? m[1] : header.replace(/:\d+$/, '');
}

const MAX_UNSENT = 16 * 2 ** 20;

export interface ConsoleOptions {
  listen: string;
  log: Logger;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function body(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 1 << 16) throw new Error('request body too large');
  }
  return JSON.parse(text || '{}');
}

export async function startConsole(store: Store, opts: ConsoleOptions): Promise<{ server: Server; url: string; feed: ConsoleFeed }> {
  const { host, port } = parseListenAddress(opts.listen);
  const loopbackOnly = isLoopback(host);
  const feed = new ConsoleFeed(store);
  // the pages' files, read once: they change only with the package
  const cache = new Map<string, Buffer>();
  await feed.start();
  const who = async (req: IncomingMessage): Promise<Identity | undefined> => {
    const token = tokenFromCookie(req.headers.cookie);
    return token ? authenticate(store, token) : undefined;
  };
  const guard = async (req: IncomingMessage, res: ServerResponse, need: Need): Promise<boolean> => {
    // reading without a token is for this host only: a Host header naming another name is a page
    // elsewhere that rebound its DNS name to 127.0.0.1, and gets no anonymous read
    const v = decide(await who(req), loopbackOnly && isLoopback(hostOf(req.headers.host)), need);
    if (!v.allow) json(res, v.status, { error: v.reason });
    return v.allow;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://console').pathname;
    const file = consoleFile(path);
    if (req.method === 'GET' && file) {
      const data = cache.get(file) ?? (await readFile(pkg(file)).catch(() => undefined));
      if (data) cache.set(file, data);
      if (!data) return json(res, 404, { error: `no such file: ${path}` });
      res.writeHead(200, { 'content-type': TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(data);
      return;
    }
    if (path === '/api/whoami' && req.method === 'GET') {
      const id = await who(req);
      return json(res, 200, { role: id?.role ?? (loopbackOnly ? 'anonymous' : 'none'), loopbackOnly });
    }
    if (path === '/api/login' && req.method === 'POST') {
      if (req.headers['x-stackd-console'] !== '1') return json(res, 400, { error: 'missing x-stackd-console header' });
      const { token } = (await body(req)) as { token?: string };
      const id = token ? await authenticate(store, token) : undefined;
      if (!id || id.role === 'node') return json(res, 401, { error: 'unknown token, or not a viewer/admin token' });
      res.setHeader('set-cookie', `stackd_console=${encodeURIComponent(token as string)}; HttpOnly; SameSite=Strict; Path=/`);
      return json(res, 200, { role: id.role });
    }
    if (path === '/api/logout' && req.method === 'POST') {
      res.setHeader('set-cookie', 'stackd_console=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
      return json(res, 200, {});
    }
    if (path === '/api/stream' && req.method === 'GET') {
      if (!(await guard(req, res, 'read'))) return;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      // a browser that stops reading (a laptop asleep) must not grow this process's memory: past
      // MAX_UNSENT bytes queued it is dropped, and its EventSource reconnects to a fresh snapshot
      const send = (m: unknown) => (res.writableLength > MAX_UNSENT ? res.destroy() : res.write(`data: ${JSON.stringify(m)}\n\n`));
      res.write(`data: ${feed.snapshotText()}\n\n`);
      const off = feed.subscribe(send);
      // a comment now and then keeps idle proxies and NAT entries from closing a quiet stream
      const ping = setInterval(() => res.write(': ping\n\n'), 25_000).unref();
      req.on('close', () => {
        off();
        clearInterval(ping);
      });
      return;
    }
    if (path === '/api/actions' && req.method === 'POST') {
      // a custom header a cross-site form cannot send (with the SameSite cookie: no CSRF)
      if (req.headers['x-stackd-console'] !== '1') return json(res, 400, { error: 'missing x-stackd-console header' });
      if (!(await guard(req, res, 'act'))) return;
      const r = (await body(req)) as ActionRequest;
      const bad = checkAction(r);
      if (bad) return json(res, 400, { error: bad });
      return json(res, 200, { message: await runAction(store, r) });
    }
    json(res, 404, { error: `no such page: ${path}` });
  };
  const server = createServer(
    (req, res) => void handle(req, res).catch((err) => (res.headersSent ? res.destroy() : json(res, 400, { error: (err as Error).message }))),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as { port: number }).port;
  const url = `http://${host && host !== '0.0.0.0' ? host : '127.0.0.1'}:${bound}/`;
  opts.log.info('web console listening', { url, readWithoutToken: loopbackOnly });
  return { server, url, feed };
}

/** Runs `fn` with the console served (when a listen address is given), and closes it after. */
export async function withConsole<T>(store: Store, opts: ConsoleOptions | undefined, fn: () => Promise<T>): Promise<T> {
  if (!opts) return fn();
  const { server, feed } = await startConsole(store, opts);
  try {
    return await fn();
  } finally {
    feed.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
