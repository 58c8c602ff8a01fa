import { randomFillSync } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** random bytes drawn 4 KiB at a time: one system call per 256 ids, not one per id (100,000 new
 *  tasks at scale) */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** Task ids: 16 lower-case base-32 characters, unique across the cluster (like Swarm's, shorter). */
export function newTaskId(): string {
  if (used + 16 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  let id = '';
  for (let i = used; i < used + 16; i++) id += ALPHABET[pool[i] & 31];
  used += 16;
  return id;
}
