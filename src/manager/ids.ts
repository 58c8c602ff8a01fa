import { randomBytes } from 'node:crypto';

/** Task ids: 16 lower-case base-32 characters, unique across the cluster (like Swarm's, shorter). */
export function newTaskId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(16)].map((b) => alphabet[b & 31]).join('');
}
