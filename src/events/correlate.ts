// Repeats counted on one event, like client-go's EventCorrelator: an occurrence of the same
// (object, type, reason, message) bumps count and lastTimestamp of the event already there rather
// than adding one. The first occurrence is written at once (an operator watching sees a crash
// within the write's latency); repeats are written at most once per `throttleMs` per event, the
// last state of a burst always being written (trailing). Pure: the recorder does the I/O.
import { createHash } from 'node:crypto';
import { type EventSource, type EventType, type InvolvedObject, type StackdEvent, newEvent } from './event.js';

/** The recorder's memory of one event. */
export interface Tracked {
  event: StackdEvent;
  /** when the event was last written (ms); undefined: never yet */
  writtenAt?: number;
  /** the count that write carried */
  writtenCount: number;
}

export type Decision =
  /** write `tracked.event` now */
  | { kind: 'write' }
  /** a write is due at `at` (ms) for this burst; nothing to do now */
  | { kind: 'later'; at: number };

/** The event name: `<kind>.<object>.<hash>`, the same for every repeat of the same thing. */
export function eventName(object: InvolvedObject, type: EventType, reason: string, message: string): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([object.kind, object.stack, object.name, type, reason, message]))
    .digest('hex')
    .slice(0, 12);
  return `${object.kind.toLowerCase()}.${object.name}.${hash}`;
}

export interface Occurrence {
  object: InvolvedObject;
  type: EventType;
  reason: string;
  message: string;
  source: EventSource;
}

/** One occurrence: the tracked state after it. A tracked event last seen more than `ttlMs` ago
 *  has expired from the Store: it starts over at count 1. */
export function observe(prev: Tracked | undefined, occurrence: Occurrence, now: number, ttlMs: number): Tracked {
  if (!prev || now - Date.parse(prev.event.lastTimestamp) > ttlMs) {
    const { object, type, reason, message, source } = occurrence;
    return { event: newEvent(eventName(object, type, reason, message), object, type, reason, message, source, new Date(now)), writtenCount: 0 };
  }
  const event = { ...prev.event, count: prev.event.count + 1, lastTimestamp: new Date(now).toISOString() };
  return { ...prev, event };
}

/** Whether `tracked` should be written now, or when. */
export function decide(tracked: Tracked, now: number, throttleMs: number): Decision {
  if (tracked.writtenAt === undefined) return { kind: 'write' };
  if (tracked.event.count === tracked.writtenCount) return { kind: 'later', at: Number.POSITIVE_INFINITY };
  const due = tracked.writtenAt + throttleMs;
  return now >= due ? { kind: 'write' } : { kind: 'later', at: due };
}

/** What the Store already holds for an event this recorder writes for the first time (an earlier
 *  leader wrote it, or this recorder forgot it): carry its count and first timestamp on.
 *  `unwritten` = occurrences this recorder has seen and not yet written. */
export function mergeStored(stored: StackdEvent, tracked: Tracked): StackdEvent {
  const unwritten = tracked.event.count - tracked.writtenCount;
  return {
    ...tracked.event,
    metadata: { ...tracked.event.metadata, creationTimestamp: stored.metadata.creationTimestamp },
    count: stored.count + unwritten,
    firstTimestamp: [stored.firstTimestamp, tracked.event.firstTimestamp].sort()[0], // ISO strings: text order is time order
  };
}
