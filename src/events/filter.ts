// Which events a reader wants, and in what order. Pure: shared by `stackctl events`, `service
// inspect`, `rollout status`, the API server and the web console.
import type { EventType, InvolvedObject, StackdEvent } from './event.js';

export interface EventFilter {
  /** only events whose last occurrence is at or after this */
  since?: Date;
  /** only this stack's objects' events ('' : cluster-scoped objects' only) */
  stack?: string;
  type?: EventType;
  /** only this object's events (kind, stack and name all match) */
  object?: InvolvedObject;
}

export function matches(ev: StackdEvent, f: EventFilter): boolean {
  if (f.since && Date.parse(ev.lastTimestamp) < f.since.getTime()) return false;
  if (f.stack !== undefined && ev.involvedObject.stack !== f.stack) return false;
  if (f.type && ev.type !== f.type) return false;
  const o = f.object;
  if (o && (ev.involvedObject.kind !== o.kind || ev.involvedObject.stack !== o.stack || ev.involvedObject.name !== o.name)) return false;
  return true;
}

/** Oldest first by last occurrence (as `kubectl get events --sort-by=.lastTimestamp`), then name. */
export function sortEvents(events: StackdEvent[]): StackdEvent[] {
  return [...events].sort((a, b) =>
    a.lastTimestamp < b.lastTimestamp
      ? -1
      : a.lastTimestamp > b.lastTimestamp
        ? 1
        : a.metadata.name < b.metadata.name
          ? -1
          : a.metadata.name > b.metadata.name
            ? 1
            : 0,
  );
}

/** "warning" / "Normal" → the event type; undefined for anything else. */
export function parseEventType(input: string): EventType | undefined {
  const lower = input.toLowerCase();
  return lower === 'warning' ? 'Warning' : lower === 'normal' ? 'Normal' : undefined;
}
