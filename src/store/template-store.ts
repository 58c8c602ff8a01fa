// A Store that keeps task templates by reference (template-refs.ts): on the way in, a task's (or
// assignment copy's) template is replaced by its content-addressed key and written there first,
// once per process; on the way out the template is put back, so every caller still sees whole
// tasks, and records written before references (inline templates) read as they are.
import type { Observable } from 'rxjs';
import { rx } from './rx.js';
import type { KeyValue, ListResult, TxnOp, TxnResult, WatchMessage } from './store.js';
import { ForwardingStore } from './forwarding-store.js';
import { deepFreeze, extractTemplate, isTaskValueKey, rememberedText, rememberTemplate, templateRefOf, withTemplateParts } from './template-refs.js';

export class TemplateRefStore extends ForwardingStore {
  /** template texts by key, each known to be in the store (written or read by this process) */
  private readonly templates = new Map<string, string>();
  /** the same, parsed once (readers' decoders share them: src/client/codec.ts) */
  private readonly parsed = new Map<string, object>();
  private readonly writing = new Map<string, Promise<void>>();

  override async get(key: string): Promise<KeyValue | undefined> {
    const kv = await this.inner.get(key);
    return kv && (await this.hydrate([kv]))[0];
  }

  override async list(prefix: string): Promise<ListResult> {
    const res = await this.inner.list(prefix);
    return { ...res, items: await this.hydrate(res.items) };
  }

  override async txn(ops: TxnOp[]): Promise<TxnResult> {
    const templates = new Map<string, string>();
    const out = ops.map((op): TxnOp => {
      if (!('value' in op) || !isTaskValueKey(op.key)) return op;
      const ex = extractTemplate(op.key, op.value);
      if (!ex) {
        // by reference already (encodeStoredTask): a template this process knows but this store may not have yet
        const ref = templateRefOf(op.value);
        const text = ref && !this.templates.has(ref) ? rememberedText(ref) : undefined;
        if (ref && text) templates.set(ref, text);
        return op;
      }
      if (!this.templates.has(ex.templateKey)) templates.set(ex.templateKey, ex.template);
      return { ...op, value: ex.value };
    });
    // the template is in the store before any task that refers to it, so a reader always finds it
    await Promise.all([...templates].map(([key, text]) => this.writeTemplate(key, text)));
    return this.inner.txn(out);
  }

  /** one write per template and process, shared by the transactions that need it meanwhile */
  private writeTemplate(key: string, text: string): Promise<void> {
    let pending = this.writing.get(key);
    if (!pending) {
      pending = this.inner
        .txn([{ op: 'put', key, value: text }])
        .then(() => void this.templates.set(key, text))
        .finally(() => this.writing.delete(key));
      this.writing.set(key, pending);
    }
    return pending;
  }

  /** task values with their templates put back (read once per template and process) */
  private async hydrate(items: KeyValue[]): Promise<KeyValue[]> {
    const missing = new Set<string>();
    for (const kv of items) {
      if (!kv.value || !isTaskValueKey(kv.key)) continue;
      const ref = templateRefOf(kv.value);
      if (ref && !this.templates.has(ref)) missing.add(ref);
    }
    await Promise.all(
      [...missing].map(async (ref) => {
        const kv = await this.inner.get(ref);
        if (kv) this.templates.set(ref, kv.value);
      }),
    );
    return items.map((kv) => {
      if (!kv.value || !isTaskValueKey(kv.key)) return kv;
      const ref = templateRefOf(kv.value);
      const text = ref && this.templates.get(ref);
      if (!text) return kv;
      let template = this.parsed.get(ref);
      if (!template) {
        this.parsed.set(ref, (template = deepFreeze(JSON.parse(text) as object)));
        rememberTemplate(ref, text, template);
      }
      return withTemplateParts(kv, { stored: kv.value, ref, template }, text);
    });
  }

  override watch(prefix: string, fromRevision: number): Observable<WatchMessage> {
    // concatMap keeps the messages in order while a template is read
    return this.inner.watch(prefix, fromRevision).pipe(
      rx().concatMap(async (msg): Promise<WatchMessage> => {
        if (msg.type !== 'events') return msg;
        const puts = await this.hydrate(msg.events.map((e) => e.kv));
        return { ...msg, events: msg.events.map((e, i) => (e.type === 'put' ? { ...e, kv: puts[i] } : e)) };
      }),
    );
  }
}
