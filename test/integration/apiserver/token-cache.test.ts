// The API server's token cache against a real (embedded) Store: a known token costs no Store
// read once the watch has brought it, a revocation written by another connection (stackctl token
// revoke is another process) is honoured, and a wrong secret is refused from the cache too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenCache } from '../../../src/apiserver/token-cache.js';
import { createToken, revokeToken } from '../../../src/apiserver/tokens.js';
import { openEmbeddedStore } from '../../../src/store/embedded.js';
import type { Store } from '../../../src/store/store.js';
import { eventually } from '../store/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'stackd-token-cache-'));
let server: Store;
let other: Store;
let cache: TokenCache;
let reads = 0;

beforeAll(async () => {
  const file = join(dir, 'state.db');
  server = await openEmbeddedStore(file);
  other = await openEmbeddedStore(file);
  // the server's Store, counting reads of single keys (what a lookup without the cache costs)
  const counted: Store = Object.create(server);
  counted.get = (key: string) => {
    reads++;
    return server.get(key);
  };
  cache = new TokenCache(counted).start();
});

afterAll(async () => {
  cache.close();
  await other.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a known token is verified without a Store read; a wrong secret is refused', async () => {
  const { token } = await createToken(other, 'node', 'ap201');
  // cached or not, the answer is the identity
  expect(await cache.authenticate(token)).toEqual({ id: token.split('.')[0], role: 'node', node: 'ap201' });
  await eventually(async () => {
    const before = reads;
    return (await cache.authenticate(token))?.node === 'ap201' && reads === before;
  }, 'the token to be served from the cache');
  expect(await cache.authenticate(`${token.split('.')[0]}.wrong`)).toBeUndefined();
  expect(await cache.authenticate('nodot')).toBeUndefined();
});

test('a revocation from another connection is honoured, and stays so', async () => {
  const { token, record } = await createToken(other, 'admin');
  await eventually(async () => {
    const before = reads;
    return (await cache.authenticate(token))?.role === 'admin' && reads === before;
  }, 'the token to be served from the cache');
  expect(await revokeToken(other, record.id)).toBe(true);
  await eventually(async () => (await cache.authenticate(token)) === undefined, 'the revocation to reach the cache');
  // gone from the cache: later lookups read the Store, which has no such token either
  expect(await cache.authenticate(token)).toBeUndefined();
  const { token: fresh } = await createToken(other, 'viewer');
  // a token made a moment ago is known at once (a miss reads the Store)
  expect((await cache.authenticate(fresh))?.role).toBe('viewer');
});
