// Bearer tokens: "<id>.<secret>". The Store keeps only the secret's sha256 (a leaked etcd backup
// holds no usable token); the id finds the record in one read.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_TOKEN_PREFIX, apiTokenKey } from '../api/keys.js';
import type { Store } from '../store/store.js';

export type Role = 'admin' | 'viewer' | 'node';

export interface TokenRecord {
  id: string;
  role: Role;
  /** role node: the node this identity speaks for */
  node?: string;
  sha256: string;
  createdAt: string;
}

export interface Identity {
  id: string;
  role: Role;
  node?: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export async function createToken(store: Store, role: Role, node?: string): Promise<{ token: string; record: TokenRecord }> {
  if (role === 'node' && !node) throw new Error('a node identity needs --node NAME');
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const record: TokenRecord = { id, role, ...(node ? { node } : {}), sha256: sha256(secret), createdAt: new Date().toISOString() };
  const res = await store.txn([{ op: 'create', key: apiTokenKey(id), value: JSON.stringify(record) }]);
  if (!res.succeeded) throw new Error(`token id ${id} exists; try again`);
  return { token: `${id}.${secret}`, record };
}

export async function listTokens(store: Store): Promise<TokenRecord[]> {
  const { items } = await store.list(API_TOKEN_PREFIX);
  return items.map((kv) => JSON.parse(kv.value) as TokenRecord);
}

/** true when there was such a token */
export async function revokeToken(store: Store, id: string): Promise<boolean> {
  const res = await store.txn([{ op: 'delete', key: apiTokenKey(id), revision: (await store.get(apiTokenKey(id)))?.modRevision ?? -1 }]);
  return res.succeeded;
}

/** A bearer token's parts, or undefined when it is not shaped like one of ours. */
export function splitToken(token: string): { id: string; secret: string } | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || !/^[0-9a-f]+$/.test(token.slice(0, dot))) return undefined;
  return { id: token.slice(0, dot), secret: token.slice(dot + 1) };
}

/** The record's identity when `secret` is its token's secret (constant-time compare). */
export function verifySecret(rec: TokenRecord, secret: string): Identity | undefined {
  const given = Buffer.from(sha256(secret), 'hex');
  const want = Buffer.from(rec.sha256, 'hex');
  if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
  return { id: rec.id, role: rec.role, ...(rec.node ? { node: rec.node } : {}) };
}

export async function readToken(store: Store, id: string): Promise<TokenRecord | undefined> {
  const kv = await store.get(apiTokenKey(id));
  return kv ? (JSON.parse(kv.value) as TokenRecord) : undefined;
}

/** The identity a bearer token stands for, or undefined (unknown, revoked or wrong secret). One
 *  Store read: the API server uses a TokenCache instead. */
export async function authenticate(store: Store, token: string): Promise<Identity | undefined> {
  const parts = splitToken(token);
  const rec = parts && (await readToken(store, parts.id));
  return rec && parts ? verifySecret(rec, parts.secret) : undefined;
}
