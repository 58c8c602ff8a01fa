// Events (src/events/) through the API: get, list and watch of `events` in stackd.io/v1, read
// from the keys the manager's EventRecorder writes (so an event written to the Store directly is
// on every API watch). A stack is the namespace of its objects' events; events of cluster-scoped
// objects (Node, GitSource) have the empty namespace, as the Store keeps them: they are in the
// list of all namespaces (`kubectl get events.stackd.io -A`) and at /apis/stackd.io/v1/events/NAME.
//   /apis/stackd.io/v1/events[/NAME]                      all events (cluster events by name)
//   /apis/stackd.io/v1/namespaces/STACK/events[/NAME]     one stack's
// Field selectors on any field (`involvedObject.name=web`, `type=Warning`, `reason=TaskFailed`);
// `metadata.namespace=S` reads only that stack's keys. `sinceTime=RFC3339` or `sinceSeconds=N` (as
// `kubectl logs` sends them) keep events whose last occurrence is at or after it, so a client asks
// for what it keeps (`stackctl events --since`). Lists are oldest first, as stackctl events.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLUSTER_SEGMENT, EVENT_PREFIX, type StackdEvent, decodeEvent, eventKey, eventStackPrefix } from '../events/event.js';
import { matches, sortEvents } from '../events/filter.js';
import type { Store } from '../store/store.js';
import { authorizeEvents, type Verb } from './authz.js';
import { ApiError, sendJson } from './http.js';
import { GROUP_VERSION } from './resources.js';
import { SelectorError, type Selectors, parseSelectors, pinnedField, selects } from './selectors.js';
import { toTable, wantsTable } from './table.js';
import type { Identity } from './tokens.js';
import { type WatchOptions, streamWatch } from './watch.js';
import type { WatchCodec } from './watch-events.js';

export const EVENTS_PLURAL = 'events';

export interface EventsPath {
  /** undefined: every namespace; '' : cluster-scoped objects' events */
  namespace?: string;
  name?: string;
}

/** What a request names, if it is about events. Pure. */
export function parseEventsPath(path: string): EventsPath | undefined {
  const m = new RegExp(`^/apis/${GROUP_VERSION}(?:/namespaces/([^/]+))?/${EVENTS_PLURAL}(?:/([^/]+))?$`).exec(path);
  if (!m) return undefined;
  const namespace = m[1] === undefined ? (m[2] === undefined ? undefined : '') : decodeURIComponent(m[1]);
  return { namespace, ...(m[2] === undefined ? {} : { name: decodeURIComponent(m[2]) }) };
}

const codec: WatchCodec<StackdEvent> = {
  decode: (kv) => decodeEvent(kv.value, kv.modRevision),
  tombstone: (key, revision) => {
    const [segment, name] = key.slice(EVENT_PREFIX.length).split('/');
    const namespace = segment === CLUSTER_SEGMENT ? '' : segment;
    return { kind: 'Event', apiVersion: GROUP_VERSION, metadata: { name, namespace, creationTimestamp: '', resourceVersion: String(revision) } } as StackdEvent;
  },
};

const asObject = (e: StackdEvent) => e as unknown as Parameters<typeof selects>[1];

function selectorsOf(query: URLSearchParams): Selectors {
  try {
    return parseSelectors(query);
  } catch (err) {
    if (err instanceof SelectorError) throw new ApiError('BadRequest', err.message);
    throw err;
  }
}

/** The time `sinceTime` (RFC 3339) or `sinceSeconds` (before `now`) names, if either is given. Pure. */
export function sinceOf(query: URLSearchParams, now = Date.now()): Date | undefined {
  const time = query.get('sinceTime');
  const seconds = query.get('sinceSeconds');
  if (time !== null && seconds !== null) throw new ApiError('BadRequest', 'at most one of sinceTime or sinceSeconds may be specified');
  if (time !== null) {
    const at = Date.parse(time);
    if (!/^\d{4}-\d\d-\d\dT/.test(time) || Number.isNaN(at))
      throw new ApiError('BadRequest', `sinceTime: expected an RFC 3339 time such as 2026-12-06T20:16:27Z, got "${time}"`);
    return new Date(at);
  }
  if (seconds === null) return undefined;
  if (!/^\d+$/.test(seconds)) throw new ApiError('BadRequest', `sinceSeconds: expected a whole number of seconds, got "${seconds}"`);
  return new Date(now - Number(seconds) * 1000);
}

/** The keys a read needs: one stack's when the path or a field selector names it. */
function prefixOf(where: EventsPath, sel: Selectors): string {
  const namespace = where.namespace ?? pinnedField(sel, 'metadata.namespace');
  return namespace === undefined ? EVENT_PREFIX : eventStackPrefix(namespace);
}

function verbOf(method: string | undefined, where: EventsPath, query: URLSearchParams): Verb {
  const watch = query.get('watch');
  if (method === 'GET') return watch === '1' || watch === 'true' ? 'watch' : where.name === undefined ? 'list' : 'get';
  const verbs: Record<string, Verb> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  return verbs[method ?? ''] ?? 'update';
}

/** Serves the request if it is about events; false when it is not. */
export async function eventsRoute(
  store: Store,
  who: Identity,
  path: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  opts: WatchOptions,
): Promise<boolean> {
  const where = parseEventsPath(path);
  if (!where) return false;
  const query = url.searchParams;
  const verb = verbOf(req.method, where, query);
  const decision = authorizeEvents(who, verb);
  if (!decision.allow)
    throw new ApiError('Forbidden', `events.stackd.io${where.name ? ` "${where.name}"` : ''} is forbidden: ${decision.reason}`, { kind: EVENTS_PLURAL });
  if (req.method !== 'GET')
    throw new ApiError('MethodNotAllowed', `events are recorded by the manager; the API serves get, list and watch of them, not ${req.method}`);
  const sel = selectorsOf(query);
  const table = wantsTable(req.headers.accept);
  const includeObject = query.get('includeObject') ?? undefined;
  const since = sinceOf(query);
  const keep = (e: StackdEvent) => selects(sel, asObject(e)) && matches(e, { since }) && (where.name === undefined || e.metadata.name === where.name);

  if (verb === 'watch') {
    const render = (e: StackdEvent) => (table ? toTable('Event', [e], e.metadata.resourceVersion ?? '', includeObject) : e);
    await streamWatch({ store, kind: 'Event', prefix: prefixOf(where, sel), codec, keep, render, query }, req, res, opts);
    return true;
  }
  if (verb === 'get') {
    const kv = await store.get(eventKey(where.namespace ?? '', where.name ?? ''));
    const ev = kv && decodeEvent(kv.value, kv.modRevision);
    if (!ev) throw new ApiError('NotFound', `events.stackd.io "${where.name}" not found`, { name: where.name, kind: EVENTS_PLURAL });
    sendJson(res, 200, table ? toTable('Event', [ev], ev.metadata.resourceVersion ?? '', includeObject) : ev);
    return true;
  }
  const list = await store.list(prefixOf(where, sel));
  const items = sortEvents(list.items.flatMap((kv) => decodeEvent(kv.value, kv.modRevision) ?? []).filter(keep));
  const revision = String(list.revision);
  sendJson(
    res,
    200,
    table ? toTable('Event', items, revision, includeObject) : { kind: 'EventList', apiVersion: GROUP_VERSION, metadata: { resourceVersion: revision }, items },
  );
  return true;
}
