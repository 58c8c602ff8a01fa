// ?watch=1: a chunked stream of JSON watch events from the Store's watch. Without a
// resourceVersion (or "0") it starts with the current objects as ADDED; with one it resumes just
// after it (any manager serves it: the revision is the Store's). History compacted away: an ERROR
// event with a 410 Expired Status, then the stream ends (clients list again). Bookmarks, when
// asked for, carry the last revision sent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import { kindPrefix } from '../api/keys.js';
import type { Resource } from '../api/meta.js';
import { decodeObject } from '../client/codec.js';
import { statusObject } from './http.js';
import { present, type ReadContext } from './read.js';
import { GROUP_VERSION } from './resources.js';
import { selects } from './selectors.js';
import { toTable, wantsTable } from './table.js';
import { WatchTranslator } from './watch-events.js';

export interface WatchOptions {
  bookmarkIntervalMs: number;
}

function startRevision(rv: string | null): number | undefined {
  if (rv === null || rv === '' || rv === '0') return undefined;
  const n = Number(rv);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export async function handleWatch(ctx: ReadContext, req: IncomingMessage, res: ServerResponse, opts: WatchOptions): Promise<void> {
  const { resource, namespace } = ctx.path;
  const prefix = kindPrefix(resource.kind, namespace);
  const translator = new WatchTranslator(resource, (o) => selects(ctx.selectors, o) && (!ctx.path.name || o.metadata.name === ctx.path.name));
  const table = wantsTable(ctx.accept);
  let lastRevision = 0;
  const write = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
  const send = (type: string, obj: Resource) => {
    const shown = present(obj);
    write(type, table ? toTable(resource.kind, [shown], shown.metadata.resourceVersion, ctx.query.get('includeObject') ?? undefined) : shown);
  };

  // what the watcher holds at the start: the current objects (sent as ADDED when it gave no revision)
  const current = await ctx.store.list(prefix);
  let from = startRevision(ctx.query.get('resourceVersion'));
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' });
  res.flushHeaders();
  for (const kv of current.items) {
    const obj = decodeObject(kv);
    // resuming: objects created after the revision are not the watcher's yet (their ADDED comes)
    if (from !== undefined && kv.createRevision > from) continue;
    translator.seed(obj, kv.key);
    if (from === undefined && selects(ctx.selectors, obj) && (!ctx.path.name || obj.metadata.name === ctx.path.name)) send('ADDED', obj);
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
  const limit = Number(ctx.query.get('timeoutSeconds') ?? 0);
  if (limit > 0) timeout = setTimeout(finish, limit * 1000);
  if (ctx.query.get('allowWatchBookmarks') === 'true') {
    bookmarks = setInterval(
      () => write('BOOKMARK', { kind: resource.kind, apiVersion: GROUP_VERSION, metadata: { resourceVersion: String(lastRevision) } }),
      opts.bookmarkIntervalMs,
    );
  }
  sub = ctx.store.watch(prefix, from + 1).subscribe({
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
