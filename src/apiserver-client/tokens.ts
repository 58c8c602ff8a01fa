// `stackctl kubeconfig | token ls | token revoke` through the API (the server's half:
// apiserver/token-routes.ts), and the server URL and CA a printed kubeconfig names: the ones this
// client already trusts.
import { readFileSync } from 'node:fs';
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../apiserver/resources.js';
import type { Role, TokenRecord } from '../apiserver/tokens.js';
import { apiError } from './api-store.js';

const API = { group: GROUP, version: VERSION, plural: 'apitokens' };
type Shown = Omit<TokenRecord, 'sha256'>;

export async function createApiToken(kc: KubeConfig, role: Role, node?: string): Promise<{ token: string; record: Shown }> {
  try {
    const got = (await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({ ...API, body: { role, ...(node ? { node } : {}) } })) as Shown & {
      token: string;
    };
    return { token: got.token, record: { id: got.id, role: got.role, ...(got.node ? { node: got.node } : {}), createdAt: got.createdAt } };
  } catch (err) {
    throw apiError('create apitoken', err);
  }
}

export async function listApiTokens(kc: KubeConfig): Promise<Shown[]> {
  try {
    const list = (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject(API)) as { items: Array<Shown & { kind?: string }> };
    return list.items.map(({ id, role, node, createdAt }) => ({ id, role, ...(node ? { node } : {}), createdAt }));
  } catch (err) {
    throw apiError('list apitokens', err);
  }
}

/** true when there was such a token */
export async function revokeApiToken(kc: KubeConfig, id: string): Promise<boolean> {
  try {
    await kc.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({ ...API, name: id });
    return true;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return false;
    throw apiError(`revoke apitoken ${id}`, err);
  }
}

/** The CA (PEM) this client trusts for the API, for a kubeconfig it prints; undefined: none given. */
export function trustedCa(kc: KubeConfig): string | undefined {
  const c = kc.getCurrentCluster();
  if (c?.caData) return Buffer.from(c.caData, 'base64').toString();
  return c?.caFile ? readFileSync(c.caFile, 'utf8') : undefined;
}
