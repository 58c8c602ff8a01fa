// Label and field selectors in Kubernetes' syntax. Pure.
//   labels: a=b, a==b, a!=b, a, !a, a in (x,y), a notin (x,y)   (comma = and)
//   fields: metadata.name=x, metadata.namespace!=y, spec.node=NAME (a task's node), any dotted path
import type { Resource } from '../api/meta.js';

export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'absent' };

export class SelectorError extends Error {}

/** Split on commas outside parentheses. */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

export function parseSelector(text: string | null | undefined, allowSets = true): Requirement[] {
  if (!text) return [];
  return terms(text).map((term) => {
    let m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
    if (m) return { key: m[1], op: m[2] === '!=' ? 'neq' : 'eq', value: m[3] };
    m = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
    if (m && allowSets)
      return {
        key: m[1],
        op: m[2] as 'in' | 'notin',
        values: m[3]
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v),
      };
    m = /^(!?)([^\s!=(),]+)$/.exec(term);
    if (m && allowSets) return { key: m[2], op: m[1] ? 'absent' : 'exists' };
    throw new SelectorError(`unable to parse requirement: "${term}"`);
  });
}

export function matches(reqs: Requirement[], get: (key: string) => string | undefined): boolean {
  // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every op and each case returns
  return reqs.every((r) => {
    const v = get(r.key);
    switch (r.op) {
      case 'eq':
        return (v ?? '') === r.value;
      case 'neq':
        return (v ?? '') !== r.value;
      case 'in':
        return v !== undefined && r.values.includes(v);
      case 'notin':
        return v === undefined || !r.values.includes(v);
      case 'exists':
        return v !== undefined;
      case 'absent':
        return v === undefined;
    }
  });
}

const FIELD_ALIASES: Record<string, string> = { 'spec.node': 'spec.nodeName', 'status.phase': 'status.state' };

/** A field of an object by dotted path, as text ('' when missing, as Kubernetes compares). */
export function fieldOf(obj: Resource, path: string): string {
  let cur: unknown = obj;
  for (const part of (FIELD_ALIASES[path] ?? path).split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null || typeof cur === 'object' ? '' : String(cur);
}

export interface Selectors {
  labels: Requirement[];
  fields: Requirement[];
}

export function parseSelectors(query: URLSearchParams): Selectors {
  return { labels: parseSelector(query.get('labelSelector')), fields: parseSelector(query.get('fieldSelector'), false) };
}

export function selects(sel: Selectors, obj: Resource): boolean {
  return matches(sel.labels, (k) => obj.metadata.labels?.[k]) && matches(sel.fields, (k) => fieldOf(obj, k));
}

/** The value a field selector pins a field to (`spec.node=x` → 'x'), if it does. */
export function pinnedField(sel: Selectors, path: string): string | undefined {
  const req = sel.fields.find((r) => r.op === 'eq' && (r.key === path || FIELD_ALIASES[r.key] === path || FIELD_ALIASES[path] === r.key));
  return req && req.op === 'eq' ? req.value : undefined;
}
