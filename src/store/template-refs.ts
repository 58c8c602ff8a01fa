// Task values with their template by reference: a task and its assignment copy carry
// `"templateRef":"/stackd/templates/<stack>/<hash>"` where the service's whole template was, and
// the template is stored once under that key (content-addressed). At scale that is most of the
// bytes of every task write, watch event and etcd revision (10,000 tasks were 100 MiB of etcd).
// Pure text surgery, no JSON.parse: the writers' values are JSON.stringify output, and a reader's
// value is the stored one with the template's text put back, byte for byte what was written.
import { lazyRequire } from '../lazy-require.js';
import { ROOT, templateKey } from '../api/keys.js';

const TEMPLATE_FIELD = '"template":{';
const REF_FIELD = '"templateRef":"';
// hashing is for writers only: a read need not load node:crypto
const crypto = lazyRequire<typeof import('node:crypto')>('node:crypto');

/** Keys whose values are tasks: the tasks themselves and the manager's assignment copies. */
export function isTaskValueKey(key: string): boolean {
  return key.startsWith(`${ROOT}tasks/`) || key.startsWith(`${ROOT}assignments/`);
}

/** The task's namespace (stack) from its key: /stackd/tasks/<ns>/<name>, /stackd/assignments/<node>/<ns>/<name>. */
function namespaceOf(key: string): string {
  const parts = key.slice(ROOT.length).split('/');
  return parts[0] === 'tasks' ? parts[1] : parts[2];
}

/** End (exclusive) of the JSON object starting at `start` (a '{'), skipping strings; -1 if unbalanced. */
export function objectEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote, past escapes
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

export interface Extracted {
  /** the value with the template replaced by its key */
  value: string;
  templateKey: string;
  template: string;
}

/** Takes a task value's template out (undefined: no inline template, e.g. already a reference).
 *  The first `"template":{` of a task's JSON is its spec's: metadata's labels and annotations
 *  hold strings only, and status comes after spec. */
export function extractTemplate(key: string, value: string): Extracted | undefined {
  const at = value.indexOf(TEMPLATE_FIELD);
  if (at < 0) return undefined;
  const start = at + TEMPLATE_FIELD.length - 1;
  const end = objectEnd(value, start);
  if (end < 0) return undefined;
  const template = value.slice(start, end);
  const hash = crypto().createHash('sha256').update(template).digest('base64url').slice(0, 27);
  const ref = templateKey(namespaceOf(key), hash);
  return { value: `${value.slice(0, at)}${REF_FIELD}${ref}"${value.slice(end)}`, templateKey: ref, template };
}

/** The template key a stored value refers to (undefined: none, e.g. a record from before references). */
export function templateRefOf(value: string): string | undefined {
  const at = value.indexOf(REF_FIELD);
  if (at < 0) return undefined;
  const start = at + REF_FIELD.length;
  return value.slice(start, value.indexOf('"', start));
}

/** The stored value with its template's text back in place of the reference. */
export function withTemplate(value: string, ref: string, template: string): string {
  const field = `${REF_FIELD}${ref}"`;
  const at = value.indexOf(field);
  return at < 0 ? value : `${value.slice(0, at)}"template":${template}${value.slice(at + field.length)}`;
}

/** A read task value's parts, for a decoder that wants the object without parsing the template
 *  again: the stored value (with the reference) and the template, parsed once per process and
 *  shared by every task of that revision (frozen: nobody may change it under the others). */
export interface TemplateParts {
  stored: string;
  ref: string;
  template: object;
}

const parts = new WeakMap<object, TemplateParts>();

/** The parts of a value read through TemplateRefStore (undefined: a plain value, or a copy). */
export function templateParts(kv: object): TemplateParts | undefined {
  return parts.get(kv);
}

/** A KeyValue whose `value` is the whole task, spliced only when someone reads it. */
export function withTemplateParts<T extends { value: string }>(kv: T, p: TemplateParts, text: string): T {
  const out = { ...kv };
  let whole: string | undefined;
  Object.defineProperty(out, 'value', { enumerable: true, configurable: true, get: () => (whole ??= withTemplate(p.stored, p.ref, text)) });
  parts.set(out, p);
  return out;
}

/** A spec parsed from a stored value with its templateRef replaced by the template, in place (key order kept). */
export function specWithTemplate(spec: Record<string, unknown>, template: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'templateRef') out.template = template;
    else out[k] = v;
  }
  return out;
}

// Templates a reader shares (the parsed, frozen object) and their texts, known to be in a store:
// a writer of a task read through TemplateRefStore gives the reference in place of the template
// (encodeStoredTask), so each write no longer stringifies, scans and hashes a template it read.
// Process-wide: every TemplateRefStore of the process (a hollow process has one per group of
// nodes) writes the text first should its store not have it yet. One entry per template revision.
const refsOfShared = new WeakMap<object, string>();
const textsOfRefs = new Map<string, string>();

/** Records that `template` (as shared by readers) is stored under `ref` with this text. */
export function rememberTemplate(ref: string, text: string, template: object): void {
  refsOfShared.set(template, ref);
  textsOfRefs.set(ref, text);
}

/** The text of a template remembered by reference (undefined: none this process has read). */
export function rememberedText(ref: string): string | undefined {
  return textsOfRefs.get(ref);
}

/** The spec as stored: its template, if one read from a store of `namespace`, as its reference
 *  (key order kept, so the text is byte for byte what extractTemplate makes of the whole one);
 *  undefined when the template is not a remembered one. */
export function specWithRef(spec: Record<string, unknown>, namespace: string): Record<string, unknown> | undefined {
  const template = spec.template;
  const ref = template && typeof template === 'object' ? refsOfShared.get(template) : undefined;
  if (!ref?.startsWith(templateKey(namespace, ''))) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'template') out.templateRef = ref;
    else out[k] = v;
  }
  return out;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
