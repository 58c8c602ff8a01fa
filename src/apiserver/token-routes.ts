// The API's own identities as a resource (admins only): `apitokens` lists them (never a secret: only
// hashes are kept, and those stay in the Store), POST makes one and answers its token once, DELETE
// revokes one. So `stackctl --server ... kubeconfig | token ls | token revoke` need no Store.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../store/store.js';
import { ApiError, readJsonBody, sendJson } from './http.js';
import { GROUP_VERSION } from './resources.js';
import { createToken, listTokens, revokeToken, type Identity, type Role, type TokenRecord } from './tokens.js';

export const API_TOKENS_PATH = `/apis/${GROUP_VERSION}/apitokens`;

const ROLES: readonly Role[] = ['admin', 'viewer', 'node'];
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function shown({ sha256: _hash, ...rest }: TokenRecord) {
  return { apiVersion: GROUP_VERSION, kind: 'APIToken', metadata: { name: rest.id }, ...rest };
}

/** true when `path` is ours (and answered). */
export async function tokenRoute(store: Store, who: Identity, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (path !== API_TOKENS_PATH && !path.startsWith(`${API_TOKENS_PATH}/`)) return false;
  if (who.role !== 'admin') throw new ApiError('Forbidden', `apitokens.stackd.io is forbidden: only an admin manages API identities (${who.role} may not)`);
  const id = path.length > API_TOKENS_PATH.length ? decodeURIComponent(path.slice(API_TOKENS_PATH.length + 1)) : undefined;
  if (req.method === 'GET' && id === undefined) {
    const items = (await listTokens(store)).sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(shown);
    sendJson(res, 200, { apiVersion: GROUP_VERSION, kind: 'APITokenList', metadata: {}, items });
  } else if (req.method === 'POST' && id === undefined) {
    const body = await readJsonBody<{ role?: Role; node?: string }>(req);
    const role = body?.role ?? 'admin';
    if (!ROLES.includes(role)) throw new ApiError('Invalid', `APIToken: role must be one of ${ROLES.join(', ')}`);
    if (role === 'node' && !(typeof body.node === 'string' && NODE_NAME.test(body.node)))
      throw new ApiError('Invalid', 'APIToken: a node identity needs node: NAME');
    const { token, record } = await createToken(store, role, role === 'node' ? body.node : undefined);
    sendJson(res, 201, { ...shown(record), token });
  } else if (req.method === 'DELETE' && id) {
    if (!(await revokeToken(store, id))) throw new ApiError('NotFound', `apitokens.stackd.io "${id}" not found`, { name: id, kind: 'apitokens' });
    sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: id, kind: 'apitokens' } });
  } else throw new ApiError('MethodNotAllowed', `${req.method} is not served on apitokens`);
  return true;
}
