// Events: what happened to an object, for operators (`stackctl events`, the web console), in the
// shape of Kubernetes' core/v1 Event. Controllers record them through an EventRecorder
// (recorder.ts); nothing reads them to make decisions.
//
// Key layout (one JSON Event per key, written by the manager, never by clients):
//   /stackd/events/<stack>/<event name>        events of a stack's objects (Stack, Service, Task)
//   /stackd/events/@cluster/<event name>       events of cluster-scoped objects (Node, GitSource)
// "@" is not allowed in a stack name, so the two never collide. The event name is
// `<kind>.<object name>.<hash of kind, stack, name, type, reason, message>`: a repeat of the same
// thing lands on the same key (count grows, lastTimestamp moves) instead of adding keys.
//
// Expiry: every event key is attached to a Store lease granted without keepalive (TTL = the
// manager's --event-ttl, default 1 h, plus one reuse window); one lease serves every event
// written in its window (lease-plan.ts), so an hour of events vanishes in a few lease expiries,
// with no delete per event. A repeat re-attaches the event to the current lease: an event expires
// --event-ttl after its *last* occurrence.
//
// To read: `listEvents(store, filter)` (read.ts) lists and filters them (newest last);
// `followEvents(store, filter)` (read.ts) lists, then follows the Store watch on EVENT_PREFIX from
// the list's revision + 1 (puts: new or repeated events; deletes: expiry, ignore them).
// The API server serves them read-only as events.stackd.io (apiserver/events.ts), from these keys.
import { ROOT } from '../api/keys.js';
import { API_VERSION } from '../api/meta.js';

export const EVENT_PREFIX = `${ROOT}events/`;
/** The key segment of events whose object belongs to no stack. */
export const CLUSTER_SEGMENT = '@cluster';

export type EventType = 'Normal' | 'Warning';
export const EVENT_TYPES: readonly EventType[] = ['Normal', 'Warning'];

/** The object an event is about. `stack` is '' for cluster-scoped kinds (Node, GitSource). */
export interface InvolvedObject {
  kind: 'Stack' | 'Service' | 'Task' | 'Node' | 'GitSource';
  stack: string;
  name: string;
}

export interface EventSource {
  /** "manager", "gitops", "agent" */
  component: string;
  /** the node or manager identity that recorded it */
  host?: string;
}

export interface StackdEvent {
  apiVersion: string;
  kind: 'Event';
  metadata: { name: string; namespace: string; creationTimestamp: string; resourceVersion?: string };
  involvedObject: InvolvedObject;
  type: EventType;
  /** CamelCase, machine-readable: TaskFailed, RolloutStarted, NodeDown ... */
  reason: string;
  message: string;
  /** how many times this happened (same object, type, reason and message) */
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: EventSource;
}

/** The key prefix holding one stack's events ('' for cluster-scoped objects' events). */
export function eventStackPrefix(stack: string): string {
  return `${EVENT_PREFIX}${stack === '' ? CLUSTER_SEGMENT : stack}/`;
}

export function eventKey(stack: string, name: string): string {
  return `${eventStackPrefix(stack)}${name}`;
}

export function keyOfEvent(ev: StackdEvent): string {
  return eventKey(ev.metadata.namespace, ev.metadata.name);
}

/** A new event (count 1) as first recorded at `now`. */
export function newEvent(name: string, object: InvolvedObject, type: EventType, reason: string, message: string, source: EventSource, now: Date): StackdEvent {
  const at = now.toISOString();
  return {
    apiVersion: API_VERSION,
    kind: 'Event',
    metadata: { name, namespace: object.stack, creationTimestamp: at },
    involvedObject: { ...object },
    type,
    reason,
    message,
    count: 1,
    firstTimestamp: at,
    lastTimestamp: at,
    source: { ...source },
  };
}

/** Parses a stored event; undefined for anything that is not one (skipped by readers). */
export function decodeEvent(value: string, modRevision?: number): StackdEvent | undefined {
  try {
    const ev = JSON.parse(value) as StackdEvent;
    if (ev?.kind !== 'Event' || typeof ev.reason !== 'string' || !ev.involvedObject) return undefined;
    if (modRevision !== undefined) ev.metadata.resourceVersion = String(modRevision);
    return ev;
  } catch {
    return undefined;
  }
}

export function encodeEvent(ev: StackdEvent): string {
  const { resourceVersion: _omit, ...metadata } = ev.metadata;
  return JSON.stringify({ ...ev, metadata });
}
