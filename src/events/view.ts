// How events read in a terminal, as `kubectl get events`: pure, shared by `stackctl events`,
// `service inspect` and `rollout status`.
import type { StackdEvent } from './event.js';

export const EVENT_HEADERS = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'COUNT', 'MESSAGE'];

/** 42 000 ms → "42s", "5m", "3h", "2d" (kubectl's short ages). */
export function shortAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

export function objectRef(ev: StackdEvent): string {
  const o = ev.involvedObject;
  return `${o.kind.toLowerCase()}/${o.stack ? `${o.stack}_` : ''}${o.name}`;
}

export function eventCells(ev: StackdEvent, now: Date): string[] {
  return [shortAge(now.getTime() - Date.parse(ev.lastTimestamp)), ev.type, ev.reason, objectRef(ev), String(ev.count), ev.message];
}

/** One line per event for a follow (`-f`): the time, then the same columns, like `docker events`. */
export function eventLine(ev: StackdEvent): string {
  return `${ev.lastTimestamp} ${ev.type.padEnd(7)} ${ev.reason} ${objectRef(ev)} (x${ev.count}): ${ev.message}`;
}
