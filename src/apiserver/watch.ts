// ?watch=1: a chunked stream of JSON watch events from the Store's watch. Without a
// resourceVersion (or "0") it starts with the current objects as ADDED; with one it resumes just
// after it (any manager serves it: the revision is the Store's). History compacted away: an ERROR
// event with a 410 Expired Status, then the stream ends (clients list again). Bookmarks, when
// asked for, carry the last revision sent. `streamWatch` serves any prefix (objects, events).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import { kindPrefix } from '../api/keys.js';
import type { Resource } from '../api/meta.js';
import type { Store } from '../store/store.js';
import { statusObject } from './http.js';
import { present, type ReadContext, viewFor } from './read.js';
import { GROUP_VERSION } from './resources.js';
import { selects } from './selectors.js';
import { sharedWatches } from './shared-watch.js';
import { toTable, wantsTable } from './table.js';
import { objectCodec, type WatchCodec, type Watched, WatchTranslator } from './watch-events.js';

export interface WatchOptions {
  bookmarkIntervalMs: number;
}

/** What one watch streams: the keys under `prefix`, decoded by `codec`, those `keep` selects,
 *  each sent as `render` shapes it (the object, or a Table row). */
export interface WatchFeed<T extends Watched> {
  store: Store;
  /** the kind bookmarks name */
  kind: string;
  prefix: string;
  codec: WatchCodec<T>;
  keep: (obj: T) => boolean;
  render: (obj: T) => unknown;
  /** names how `render` shapes an object, when it depends on nothing else: watchers that share it
   *  share each event's serialized line (see lines below) */
  renderKey?: string;
  query: URLSearchParams;
}

/** Serialized watch lines by object and "TYPE renderKey": a hundred watchers of one prefix get the
 *  same decoded objects (watch-events.ts), so each event is stringified once. */
const lines = new WeakMap<object, Map<string, string>>();

function lineFor<T extends Watched>(feed: WatchFeed<T>, type: string, obj: T): string {
  const fresh = () => `${JSON.stringify({ type, object: feed.render(obj) })}\n`;
  if (feed.renderKey === undefined) return fresh();
  let byShape = lines.get(obj);
  if (!byShape) lines.set(obj, (byShape = new Map()));
  const key = `${type} ${feed.renderKey}`;
  let line = byShape.get(key);
  if (line === undefined) byShape.set(key, (line = fresh()));
  return line;
}

function startRevision(rv: string | null): number | undefined {
  if (rv === null || rv === '' || rv === '0') return undefined;
  const n = Number(rv);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export async function handleWatch(ctx: ReadContext, req: IncomingMessage, res: ServerResponse, opts: WatchOptions): Promise<void> {
  const { resource, namespace } = ctx.path;
  const table = wantsTable(ctx.accept);
  const view = viewFor(ctx);
  const codec = objectCodec(resource);
  const feed: WatchFeed<Resource> = {
    store: ctx.store,
    kind: resource.kind,
    prefix: kindPrefix(resource.kind, namespace),
    // the view at decoding: selectors and the sent-or-not bookkeeping see what the watcher sees
    codec: {
      ...codec,
      decode: (kv) => {
        const obj = codec.decode(kv);
        return obj && view(obj);
      },
    },
    keep: (o) => selects(ctx.selectors, o) && (!ctx.path.name || o.metadata.name === ctx.path.name),
    render: (obj) => {
      const shown = present(obj);
      return table ? toTable(resource.kind, [shown], shown.metadata.resourceVersion, ctx.query.get('includeObject') ?? undefined) : shown;
    },
    renderKey: table ? `table ${ctx.query.get('includeObject') ?? ''}` : 'object',
    query: ctx.query,
  };
  await streamWatch(feed, req, res, opts);
}

export async function streamWatch<T extends Watched>(feed: WatchFeed<T>, req: IncomingMessage, res: ServerResponse, opts: WatchOptions): Promise<void> {
  const translator = new WatchTranslator(feed.codec, feed.keep);
  let lastRevision = 0;
  const write = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
  const send = (type: string, obj: T) => res.write(lineFor(feed, type, obj));

  // what the watcher holds at the start: the current objects (sent as ADDED when it gave no revision)
  const current = await feed.store.list(feed.prefix);
  let from = startRevision(feed.query.get('resourceVersion'));
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' });
  res.flushHeaders();
  for (const kv of current.items) {
    const obj = feed.codec.decode(kv);
    // resuming: objects created after the revision are not the watcher's yet (their ADDED comes)
    if (!obj || (from !== undefined && kv.createRevision > from)) continue;
    translator.seed(obj, kv.key);
    if (from === undefined && feed.keep(obj)) send('ADDED', obj);
  }
  if (from === undefined) from = current.revision;
  lastRevision = from;

  let sub: Subscription | undefined;
  let bookmarks: NodeJS.Timeout | undefined;
  let timeout: NodeJS.Timeout | undefined;
  const finish = () => {
    sub?.unsubscribe();
    clearInterval(bookmarks);
    clearTimeout(timeout);
    if (!res.writableEnded) res.end();
  };
  req.on('close', finish);
  const limit = Number(feed.query.get('timeoutSeconds') ?? 0);
  if (limit > 0) timeout = setTimeout(finish, limit * 1000);
  if (feed.query.get('allowWatchBookmarks') === 'true') {
    bookmarks = setInterval(
      () => write('BOOKMARK', { kind: feed.kind, apiVersion: GROUP_VERSION, metadata: { resourceVersion: String(lastRevision) } }),
      opts.bookmarkIntervalMs,
    );
  }
  sub = sharedWatches(feed.store)
    .watch(feed.prefix, from + 1)
    .subscribe({
      next: (msg) => {
        if (msg.type === 'relist') {
          write('ERROR', statusObject('Expired', `too old resource version: ${from} (${msg.reason})`));
          return finish();
        }
        for (const ev of msg.events) {
          const out = translator.translate(ev);
          if (out) send(out.type, out.object);
        }
        lastRevision = msg.revision;
      },
      error: (err: Error) => {
        write('ERROR', statusObject('InternalError', `watch: ${err.message}`));
        finish();
      },
      complete: finish,
    });
}
