// The webhook receiver every manager serves (`--webhook-listen`): POST /hooks/git/NAME, checked
// against the GitSource's webhookSecretRef token, only sets the source's requestedAt annotation;
// the leader's GitOps controller does the sync. So any manager can take the call, leader or not.
// An unknown source, one without a webhook secret and a bad signature get the same answer (the
// log says which); a delivery seen before is dropped. Never logs a token or a body.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GitSource } from '../api/objects.js';
import { getObject } from '../client/objects.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { readGitOpsSecret } from './credentials.js';
import { requestSync } from './request.js';
import { isPing, parseListenAddress, verifyWebhook } from './webhook-auth.js';
import { deliveryIds } from './webhook-replay.js';

/** GitHub sends at most 25 MB, but a push event's headers are all the receiver needs to trust it;
 *  a bigger body is refused before it is buffered. */
export const MAX_BODY_BYTES = 1 << 20;
const HOOK_PATH = /^\/hooks\/git\/([^/]+)$/;

export interface WebhookReceiver {
  /** http://HOST:PORT (the port the system chose when asked for 0) */
  readonly url: string;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: Record<string, string>;
  headers?: Record<string, string>;
}

class BodyTooLarge extends Error {}

/** One answer for an unknown source, a source without a webhook secret and a bad signature: a
 *  caller learns neither which sources exist nor how they are configured. */
const UNAUTHORIZED: Reply = { status: 401, body: { error: 'unauthorized' } };

/** Listens on `listen` ("[HOST]:PORT"); resolves once listening, rejects if it cannot. */
export async function startWebhookReceiver(store: Store, opts: { listen: string; log: Logger }): Promise<WebhookReceiver> {
  const { host, port } = parseListenAddress(opts.listen);
  const log = opts.log;
  const server = createServer((req, res) => {
    handle(store, log, req)
      .catch((err: unknown): Reply => {
        if (err instanceof BodyTooLarge) return { status: 413, body: { error: `request body over ${MAX_BODY_BYTES} bytes` } };
        // a caller that hung up mid-body has no one to answer
        if (!req.destroyed) log.error('webhook: request failed', { path: req.url, error: err instanceof Error ? err.message : String(err) });
        return { status: 503, body: { error: 'the sync could not be requested (store unavailable?); try again' } };
      })
      .then((reply) => {
        if (!res.destroyed) send(res, reply);
      });
  });
  // slow or stalled clients must not hold sockets open
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `webhook receiver cannot listen on ${opts.listen}: ${err.code === 'EADDRINUSE' ? 'address already in use (choose another --webhook-listen)' : err.message}`,
        ),
      );
    server.once('error', failed);
    server.listen(port, host ?? '0.0.0.0', () => {
      server.off('error', failed);
      resolve();
    });
  });
  server.on('error', (err) => log.error('webhook receiver: server error', { error: err.message }));
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info(`webhook receiver listening on ${url}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Runs `run` with a receiver on `listen` (none when undefined), closing it once `run` settles. */
export async function withWebhookReceiver<T>(store: Store, listen: string | undefined, log: Logger, run: () => Promise<T>): Promise<T> {
  if (listen === undefined) return run();
  const receiver = await startWebhookReceiver(store, { listen, log });
  try {
    return await run();
  } finally {
    await receiver.close();
  }
}

async function handle(store: Store, log: Logger, req: IncomingMessage): Promise<Reply> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/healthz') return req.method === 'GET' || req.method === 'HEAD' ? { status: 200, body: { status: 'ok' } } : notAllowed('GET');
  const hook = HOOK_PATH.exec(path);
  if (!hook) return { status: 404, body: { error: `no such endpoint ${path}: webhooks go to POST /hooks/git/NAME` } };
  if (req.method !== 'POST') return notAllowed('POST');
  const name = safeDecode(hook[1]);
  if (name === undefined) return { status: 404, body: { error: `no such endpoint ${path}` } };
  const body = await readBody(req);

  const refuse = (reason: string): Reply => {
    log.warn('webhook: call refused', { gitsource: name, reason, remote: req.socket.remoteAddress });
    return UNAUTHORIZED;
  };
  const source = await getObject<GitSource>(store, 'GitSource', '', name);
  if (!source) return refuse('no such gitsource');
  const ref = source.spec.webhookSecretRef;
  if (!ref) return refuse('the gitsource has no webhook secret (gitops add --webhook-secret-ref SECRET, a secret with the key token)');
  const token = (await readGitOpsSecret(store, ref))?.token;
  if (!token || token.length === 0) return refuse(`webhook secret ${ref} is missing or has no key token`);

  const verdict = verifyWebhook(req.headers, body, token);
  if (!verdict.ok) return refuse(verdict.reason);
  if (isPing(req.headers)) return { status: 200, body: { status: 'pong', gitsource: name } };
  const at = new Date().toISOString();
  const ids = deliveryIds(req.headers, body);
  if ((await requestSync(store, name, at, { ids, now: Date.now() })) === 'duplicate') {
    log.warn('webhook: repeated delivery dropped', { gitsource: name, delivery: ids.slice(1).join(' ') || undefined, remote: req.socket.remoteAddress });
    return { status: 200, body: { status: 'duplicate delivery: ignored', gitsource: name } };
  }
  log.info('webhook: sync requested', { gitsource: name, via: verdict.via, event: eventName(req) });
  const status = source.spec.suspend ? 'accepted; the source is suspended: it syncs on resume' : 'accepted';
  return { status: 202, body: { status, gitsource: name, requestedAt: at } };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function eventName(req: IncomingMessage): string | undefined {
  const value = req.headers['x-github-event'] ?? req.headers['x-gitlab-event'];
  return typeof value === 'string' ? value : undefined;
}

function notAllowed(allow: string): Reply {
  return { status: 405, body: { error: `method not allowed: use ${allow}` }, headers: { Allow: allow } };
}

/** The raw body (the signature covers its exact bytes), refused past MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...reply.headers };
  // an unread body would be the next request's bytes on a kept-alive socket
  if (reply.status === 413) headers.Connection = 'close';
  res.writeHead(reply.status, headers).end(`${JSON.stringify(reply.body)}\n`);
}
