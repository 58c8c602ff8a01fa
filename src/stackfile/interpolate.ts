// Compose variable interpolation in scalar values: $V, ${V}, ${V:-d}, ${V-d}, ${V:?err}, ${V?err},
// ${V:+r}, ${V+r}, nested defaults (${A:-${B:-x}}) and $$ for a literal $. Keys are never touched.
import { type Path, type Problem, problemAt } from './errors.js';
import type { LNode } from './yaml-source.js';

export type Lookup = (name: string) => string | undefined;

/** The text with variables replaced; `unset` names the variables used without a value or default. */
export interface Interpolated {
  value: string;
  unset: string[];
  /** `${V:?err}` with V unset, or a malformed `$` */
  error?: string;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

export function interpolate(input: string, lookup: Lookup): Interpolated {
  try {
    const r = parseText(input, 0, lookup, false);
    return r.error ? { value: '', unset: r.unset, error: r.error } : { value: r.value, unset: r.unset };
  } catch (e) {
    return { value: '', unset: [], error: (e as Error).message };
  }
}

interface Parsed extends Interpolated {
  end: number;
}

/** Text up to the end (or, nested, up to the closing `}`); errors are values so unused branches stay silent. */
function parseText(s: string, start: number, lookup: Lookup, nested: boolean): Parsed {
  let value = '';
  const unset: string[] = [];
  let error: string | undefined;
  let i = start;
  while (i < s.length) {
    const c = s[i];
    if (nested && c === '}') return { value, unset, error, end: i };
    if (c !== '$') {
      value += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      value += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const r = parseBraced(s, i + 2, lookup);
      value += r.value;
      unset.push(...r.unset);
      error ??= r.error;
      i = r.end + 1;
      continue;
    }
    NAME.lastIndex = i + 1;
    const m = NAME.exec(s);
    if (!m) throw new Error(`invalid interpolation format in ${JSON.stringify(s)}: escape a literal $ as $$`);
    const v = lookup(m[0]);
    if (v === undefined) unset.push(m[0]);
    value += v ?? '';
    i = NAME.lastIndex;
  }
  if (nested) throw new Error(`missing closing } in ${JSON.stringify(s)}`);
  return { value, unset, error, end: i };
}

/** After `${`: the name, an optional operator and its word, up to the matching `}`. */
function parseBraced(s: string, start: number, lookup: Lookup): Parsed {
  NAME.lastIndex = start;
  const m = NAME.exec(s);
  if (!m) throw new Error(`invalid variable name in ${JSON.stringify(s)}`);
  const name = m[0];
  let i = NAME.lastIndex;
  const v = lookup(name);
  if (s[i] === '}') return { value: v ?? '', unset: v === undefined ? [name] : [], end: i };
  const op = /^(:?[-?+])/.exec(s.slice(i, i + 2))?.[1];
  if (!op) throw new Error(`invalid interpolation format in ${JSON.stringify(s)}`);
  i += op.length;
  const word = parseText(s, i, lookup, true);
  const emptyCounts = op.startsWith(':');
  const missing = v === undefined || (emptyCounts && v === '');
  const done = (r: Interpolated): Parsed => ({ ...r, end: word.end });
  switch (op.at(-1)) {
    case '-':
      return missing ? done(word) : done({ value: v!, unset: [] });
    case '+':
      return missing ? done({ value: '', unset: [] }) : done(word);
    default: // '?'
      if (!missing) return done({ value: v!, unset: [] });
      return done({ value: '', unset: [], error: `required variable ${name} is missing a value${word.value ? `: ${word.value}` : ''}` });
  }
}

/** Interpolate every string scalar of a tree (values only); warnings for unset variables. */
export function interpolateTree(node: LNode, lookup: Lookup, path: Path = []): { node: LNode; warnings: Problem[]; problems: Problem[] } {
  const warnings: Problem[] = [];
  const problems: Problem[] = [];
  const walk = (n: LNode, p: Path): LNode => {
    if (n.kind === 'map') {
      const entries = new Map<string, LNode>();
      for (const [k, v] of n.entries) entries.set(k, walk(v, [...p, k]));
      return { ...n, entries };
    }
    if (n.kind === 'seq') return { ...n, items: n.items.map((it, i) => walk(it, [...p, i])) };
    if (typeof n.value !== 'string' || !n.value.includes('$')) return n;
    const r = interpolate(n.value, lookup);
    for (const name of new Set(r.unset)) {
      warnings.push(problemAt(n.loc, p, `variable "${name}" is not set, using ""`));
    }
    if (r.error) problems.push(problemAt(n.loc, p, r.error));
    return { kind: 'scalar', value: r.value, loc: n.loc, keyLoc: n.keyLoc };
  };
  return { node: walk(node, path), warnings, problems };
}
