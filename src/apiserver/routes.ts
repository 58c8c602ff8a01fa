// One request: authenticate, route, authorize, hand to the read/watch/write handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { certificateIdentity } from './client-certs.js';
import type { Store } from '../store/store.js';
import { authorize, type Access, type Verb } from './authz.js';
import { apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { ApiError, readJsonBody, sendError, sendJson } from './http.js';
import { handleGet, handleList, type ReadContext } from './read.js';
import { GROUP, GROUP_VERSION, VERSION, parseResourcePath } from './resources.js';
import { parseSelectors, pinnedField, SelectorError, type Selectors } from './selectors.js';
import type { TokenCache } from './token-cache.js';
import type { Identity } from './tokens.js';
import { handleWatch, type WatchOptions } from './watch.js';
import { handleWrite } from './write.js';
import { leaseAccess, type NodeLeases } from './leases.js';
import { ensureClusterId } from '../store/cluster-id.js';
import { tokenRoute } from './token-routes.js';
import { controlPlaneRoute } from './control-plane.js';
import { eventsRoute } from './events.js';

export interface RouteOptions extends WatchOptions {
  store: Store;
  leases: NodeLeases;
  tokens: TokenCache;
}

const LEASES = `/apis/${GROUP_VERSION}/leases/`;
const CLUSTER_INFO = `/apis/${GROUP_VERSION}/clusterinfo`;

/** Node heartbeats (leases.ts) and the cluster's identity (agents label what they create with it):
 *  served beside the Store's kinds, not as objects of their own. */
async function nonObject(opts: RouteOptions, who: Identity, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (path === CLUSTER_INFO && req.method === 'GET') {
    sendJson(res, 200, { apiVersion: GROUP_VERSION, kind: 'ClusterInfo', metadata: { name: 'stackd' }, clusterId: await ensureClusterId(opts.store) });
    return true;
  }
  if (!path.startsWith(LEASES)) return false;
  const name = decodeURIComponent(path.slice(LEASES.length));
  leaseAccess(who, req.method ?? 'GET', name);
  if (req.method === 'GET') sendJson(res, 200, await opts.leases.get(name));
  else if (req.method === 'PUT') sendJson(res, 200, await opts.leases.acquire(name, await readJsonBody(req)));
  else if (req.method === 'PATCH') sendJson(res, 200, opts.leases.renew(name, await readJsonBody(req)));
  else if (req.method === 'DELETE') {
    await opts.leases.release(name);
    sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'leases' } });
  } else throw new ApiError('MethodNotAllowed', `method ${req.method} is not supported on leases`);
  return true;
}

function verbOf(method: string, hasName: boolean, query: URLSearchParams): Verb {
  const watch = query.get('watch');
  if (method === 'GET') return watch === '1' || watch === 'true' ? 'watch' : hasName ? 'get' : 'list';
  const verbs: Record<string, Verb> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  const verb = verbs[method];
  if (!verb) throw new ApiError('MethodNotAllowed', `method ${method} is not supported`);
  return verb;
}

/** The identity of a client certificate the TLS handshake verified against the API's CA. */
function certificateOf(req: IncomingMessage): Identity | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return undefined;
  return certificateIdentity(socket.getPeerCertificate()?.subject);
}

async function identify(tokens: TokenCache, req: IncomingMessage): Promise<Identity> {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  // a token when one is given (as Kubernetes: a bad token is 401 whatever the certificate)
  const who = m ? await tokens.authenticate(m[1]) : certificateOf(req);
  if (!who) throw new ApiError('Unauthorized', 'Unauthorized: a valid bearer token or client certificate is required (stackctl kubeconfig makes one)');
  return who;
}

function discovery(path: string): unknown {
  switch (path) {
    case '/api':
      return apiVersions();
    case '/apis':
      return apiGroupList();
    case `/apis/${GROUP}`:
      return apiGroupList().groups[0];
    case `/apis/${GROUP_VERSION}`:
      return apiResourceList();
    case '/version':
      return versionInfo();
    default:
      return undefined;
  }
}

export async function route(opts: RouteOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'https://stackd');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz' || path === '/readyz' || path === '/livez') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    const who = await identify(opts.tokens, req);
    const doc = req.method === 'GET' ? discovery(path) : undefined;
    if (doc) return sendJson(res, 200, doc);
    if (await nonObject(opts, who, path, req, res)) return;
    if (await tokenRoute(opts.store, who, path, req, res)) return;
    if (req.method === 'GET' && (await controlPlaneRoute(opts.store, who, path, req, res))) return;
    if (await eventsRoute(opts.store, who, path, url, req, res, opts)) return;
    const target = parseResourcePath(path);
    if (!target) throw new ApiError('NotFound', `the server could not find the requested resource (${path}; group ${GROUP}, version ${VERSION})`);
    const verb = verbOf(req.method ?? 'GET', target.name !== undefined, url.searchParams);
    let selectors: Selectors;
    try {
      selectors = parseSelectors(url.searchParams);
    } catch (err) {
      if (err instanceof SelectorError) throw new ApiError('BadRequest', err.message);
      throw err;
    }
    const kind = target.resource.kind;
    const access: Access = {
      verb,
      kind,
      namespace: target.namespace,
      name: target.name,
      subresource: target.subresource,
      pinnedNode: kind === 'Task' ? pinnedField(selectors, 'spec.nodeName') : kind === 'Node' ? pinnedField(selectors, 'metadata.name') : undefined,
    };
    const decision = authorize(who, access);
    if (!decision.allow) {
      const what = `${target.resource.plural}${target.subresource ? `/${target.subresource}` : ''}`;
      throw new ApiError('Forbidden', `${what}.${GROUP}${target.name ? ` "${target.name}"` : ''} is forbidden: ${decision.reason}`, {
        name: target.name,
        kind: target.resource.plural,
      });
    }
    const ctx: ReadContext = { store: opts.store, who, path: target, query: url.searchParams, accept: req.headers.accept, selectors, decision };
    if (verb === 'watch') return await handleWatch(ctx, req, res, opts);
    if (verb === 'list') return await handleList(ctx, res);
    if (verb === 'get' && !target.subresource) return await handleGet(ctx, res);
    await handleWrite(ctx, verb, req, res);
  } catch (err) {
    sendError(res, err);
  }
}
