// The cluster's default address pool: where the manager carves subnets for networks that name
// none (10.128.0.0/10 unless `stackd manager --default-addr-pool` chose another). Recorded in the
// Store by the first manager given one, so every manager of the cluster agrees; a later flag that
// differs is refused (allocations made from the recorded pool never move).
import { ADDR_POOL_KEY } from '../api/keys.js';
import type { Store } from '../store/store.js';
import { parseCidr } from './cidr.js';
import { DEFAULT_POOL, DEFAULT_PREFIX, INGRESS_PREFIX } from './ipam.js';

/** the smallest pool: the ingress network takes half of it, stack networks /20s of the rest */
export const MAX_POOL_PREFIX = DEFAULT_PREFIX - 1;

/** Why `cidr` can't be a default address pool (undefined when it can). */
export function poolProblem(cidr: string): string | undefined {
  const c = parseCidr(cidr);
  if (!c) return `"${cidr}" is not an IPv4 subnet (a.b.c.d/n, no host bits set)`;
  if (c.prefix > MAX_POOL_PREFIX) return `pool ${cidr} is too small: /${MAX_POOL_PREFIX} or larger (the ingress network takes half of a small pool)`;
  return undefined;
}

/** The ingress network's prefix in `pool`: a /15, or half of a smaller pool. */
export function ingressPrefixIn(pool: string): number {
  return Math.max(INGRESS_PREFIX, (parseCidr(pool)?.prefix ?? 0) + 1);
}

/** The cluster's pool: the recorded one; else `wanted`, recorded now; else the default. */
export async function ensureAddressPool(store: Store, wanted?: string): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const recorded = (await store.get(ADDR_POOL_KEY))?.value;
    if (recorded) {
      if (wanted && wanted !== recorded) {
        throw new Error(
          `--default-addr-pool ${wanted}: this cluster's pool is ${recorded}, recorded by the manager first given one (allocations never move): drop the flag or give that pool`,
        );
      }
      return recorded;
    }
    if (!wanted) return DEFAULT_POOL;
    const res = await store.txn([{ op: 'create', key: ADDR_POOL_KEY, value: wanted }]);
    if (res.succeeded) return wanted;
  }
  throw new Error(`the address pool at ${ADDR_POOL_KEY} in ${store.endpoint} keeps changing`);
}
