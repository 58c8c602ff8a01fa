// Replays: a signed webhook body stays valid forever (GitHub signs the body only, not a time or
// the X-GitHub-Delivery header), so whoever captured one could send it again and again. The
// receiver remembers recent deliveries on the GitSource itself (one annotation, written in the
// same compare-and-swap as the sync request, so every manager sees it) and drops a call whose
// delivery id or body digest it has seen within the window. Pure.
import { createHash } from 'node:crypto';
import type { Headers } from './webhook-auth.js';

export const DELIVERIES_ANNOTATION = 'stackd.io/webhook-deliveries';
/** how long a delivery is remembered */
export const REPLAY_WINDOW_MS = 24 * 3600_000;
/** at most this many remembered per source (a source gets one call per push) */
export const MAX_REMEMBERED = 200;

/** Remembered deliveries: id → epoch milliseconds it was accepted. */
export type Deliveries = Record<string, number>;

/** What identifies a call: GitHub's or GitLab's delivery id when sent, and always the body's
 *  digest (the id header is not signed: a replay may carry a fresh one, never a new body). */
export function deliveryIds(headers: Headers, body: Buffer): string[] {
  const ids = [`body:${createHash('sha256').update(body).digest('hex')}`];
  for (const name of ['x-github-delivery', 'x-gitlab-event-uuid', 'idempotency-key']) {
    const value = headers[name];
    const id = Array.isArray(value) ? value[0] : value;
    if (id && id.length <= 200) ids.push(`${name}:${id}`);
  }
  return ids;
}

export function parseDeliveries(annotation: string | undefined): Deliveries {
  if (!annotation) return {};
  try {
    const parsed: unknown = JSON.parse(annotation);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, at]) => typeof at === 'number')) as Deliveries;
  } catch {
    return {};
  }
}

/** `duplicate` when any id was seen within the window; else the deliveries to store: the old
 *  ones still in the window (newest MAX_REMEMBERED) and these ids at `now`. */
export function recordDelivery(seen: Deliveries, ids: string[], now: number): { duplicate: true } | { duplicate: false; next: Deliveries } {
  const recent = Object.entries(seen).filter(([, at]) => now - at < REPLAY_WINDOW_MS);
  const known = new Set(recent.map(([id]) => id));
  if (ids.some((id) => known.has(id))) return { duplicate: true };
  const kept = recent.sort((a, b) => b[1] - a[1]).slice(0, Math.max(0, MAX_REMEMBERED - ids.length));
  return { duplicate: false, next: Object.fromEntries([...kept, ...ids.map((id) => [id, now] as const)]) };
}
