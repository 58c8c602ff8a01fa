// Objects as JSON in the Store. resourceVersion is the key's modRevision: filled on read, never stored.
import type { Resource } from '../api/meta.js';
import type { KeyValue } from '../store/store.js';
import { sharedTemplateRef, specWithRef, specWithTemplate, templateParts } from '../store/template-refs.js';

export function decodeObject<T extends Resource>(kv: KeyValue): T {
  // a task read by reference (src/store/template-store.ts): parse the small stored value and share
  // the revision's template instead of parsing a copy of it per task
  const parts = templateParts(kv);
  if (parts) {
    const obj = JSON.parse(parts.stored) as T & { spec: Record<string, unknown> };
    obj.spec = specWithTemplate(obj.spec, parts.template);
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  }
  const obj = JSON.parse(kv.value) as T;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

export function encodeObject(obj: Resource): string {
  const { resourceVersion: _omit, ...metadata } = obj.metadata;
  // a task read by reference is written back by reference: its template is not written out only
  // for the store to find, hash and take it out again (src/store/template-refs.ts)
  const spec = (obj as { spec?: Record<string, unknown> }).spec;
  const template = obj.kind === 'Task' ? spec?.template : undefined;
  const ref = template && typeof template === 'object' ? sharedTemplateRef(template, metadata.namespace) : undefined;
  return JSON.stringify(ref ? { ...obj, metadata, spec: specWithRef(spec!, ref) } : { ...obj, metadata });
}

/** JSON with object keys sorted, so equal values give equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}
