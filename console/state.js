// The browser's copy of what the console shows: one EventSource on /api/stream, a snapshot then
// changes (src/console/feed.ts), kept in one Map per kind. Every change bumps `version`; views
// derive their indexes from it once per version (indexes()).
import { useEffect, useState } from 'preact/hooks';

const ROOT = '/stackd/';
const KINDS = ['stacks', 'services', 'tasks', 'nodes', 'gitsources', 'events'];

export const db = { version: 0, connected: false, revision: 0 };
for (const k of KINDS) db[k] = new Map();

const listeners = new Set();
const kindOf = (key) => key.slice(ROOT.length).split('/')[0];

function apply(msg) {
  if (msg.type === 'snapshot') {
    for (const k of KINDS) db[k].clear();
    for (const [key, obj] of Object.entries(msg.objects)) db[kindOf(key)]?.set(key, obj);
    performance.mark('stackd:snapshot');
  } else {
    for (const c of msg.changes) {
      const map = db[kindOf(c.key)];
      if (!map) continue;
      if (c.type === 'put') map.set(c.key, c.obj);
      else map.delete(c.key);
    }
  }
  db.revision = msg.revision;
  notify();
}

const notify = () => {
  db.version++;
  for (const fn of listeners) fn(db.version);
};

/** ms before a feed the browser gave up on is opened again: 1 s, doubling, at most 30 s */
const reopenDelay = (failures) => Math.min(30_000, 1000 * 2 ** Math.min(failures, 5));

export function connect() {
  // opened by index.html before the modules loaded (see there)
  const early = window.stackdFeed;
  let failures = 0;
  const listen = (es) => {
    db.connected = es.readyState === EventSource.OPEN;
    es.onopen = () => {
      db.connected = true;
      notify();
    };
    es.onmessage = (e) => {
      db.connected = true;
      failures = 0;
      apply(JSON.parse(e.data));
    };
    // EventSource reconnects by itself after a dropped connection (the server sends a fresh
    // snapshot on each), but gives up for good on an error status (a busy server's 503) or a
    // request the browser cancelled: then a new one is opened, with backoff, instead of a console
    // that stays "connecting…" until reloaded
    es.onerror = () => {
      db.connected = false;
      notify();
      if (es.readyState === EventSource.CLOSED) setTimeout(() => listen(new EventSource('/api/stream')), reopenDelay(failures++));
    };
    if (es.readyState === EventSource.CLOSED) es.onerror();
  };
  const es = early?.source ?? new EventSource('/api/stream');
  for (const e of early?.early ?? []) apply(JSON.parse(e.data));
  listen(es);
}

/** Re-renders the calling component on every change of the feed. */
export function useFeed() {
  const [, setVersion] = useState(db.version);
  useEffect(() => {
    listeners.add(setVersion);
    return () => listeners.delete(setVersion);
  }, []);
  return db;
}

let cached = { version: -1 };
/** Services by stack, tasks by service ("stack/service") and by node, events newest first. */
export function indexes() {
  if (cached.version === db.version) return cached;
  const servicesByStack = new Map();
  for (const s of db.services.values()) push(servicesByStack, s.spec.stack, s);
  const tasksByService = new Map();
  const tasksByNode = new Map();
  for (const t of db.tasks.values()) {
    push(tasksByService, `${t.spec.stack}/${t.spec.service}`, t);
    if (t.spec.nodeName) push(tasksByNode, t.spec.nodeName, t);
  }
  const events = [...db.events.values()].sort((a, b) => (b.lastTimestamp ?? '').localeCompare(a.lastTimestamp ?? ''));
  cached = { version: db.version, servicesByStack, tasksByService, tasksByNode, events };
  return cached;
}

function push(map, key, value) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
