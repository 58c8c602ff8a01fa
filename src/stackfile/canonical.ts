// Before files are merged, fields that Compose lets you write as a list or a map become maps
// (environment, labels, depends_on, networks...), so an override file can change one entry.
import { type Path, type Problem, problemAt } from './errors.js';
import type { LMap, LNode, LScalar } from './yaml-source.js';

type Fix = (node: LNode, path: Path, problems: Problem[]) => LNode;

export function canonicalize(root: LNode): { root: LNode; problems: Problem[] } {
  const problems: Problem[] = [];
  if (root.kind !== 'map') return { root, problems };
  const out = mapEntries(root, (key, node) => {
    if (key === 'services') return mapEntries(node, (name, svc) => fixService(svc, ['services', name], problems));
    if (['networks', 'volumes', 'configs', 'secrets'].includes(key)) {
      return mapEntries(node, (name, obj) => fixKeys(obj, [key, name], problems, { labels: stringMap(''), driver_opts: stringMap('') }));
    }
    return node;
  });
  return { root: out, problems };
}

function fixService(svc: LNode, path: Path, problems: Problem[]): LNode {
  return fixKeys(svc, path, problems, {
    environment: stringMap(null),
    labels: stringMap(''),
    sysctls: stringMap(''),
    depends_on: namesToMap,
    networks: namesToMap,
    env_file: scalarToList,
    dns: scalarToList,
    build: (node, p, pr) => {
      const b: LNode =
        node.kind === 'scalar' && typeof node.value === 'string' ? { kind: 'map', loc: node.loc, keyLoc: node.keyLoc, entries: new Map([['context', node]]) } : node;
      return fixKeys(b, p, pr, { args: stringMap(''), labels: stringMap('') });
    },
    deploy: (node, p, pr) => fixKeys(node, p, pr, { labels: stringMap('') }),
  });
}

/** Apply `fixes` to the entries of a map (anything else is left for validation to report). */
function fixKeys(node: LNode, path: Path, problems: Problem[], fixes: Record<string, Fix>): LNode {
  return mapEntries(node, (key, value) => {
    const fix = Object.hasOwn(fixes, key) ? fixes[key] : undefined;
    return fix ? fix(value, [...path, key], problems) : value;
  });
}

function mapEntries(node: LNode, f: (key: string, value: LNode) => LNode): LNode {
  if (node.kind !== 'map') return node;
  const entries = new Map<string, LNode>();
  for (const [k, v] of node.entries) entries.set(k, { ...f(k, v), keyLoc: v.keyLoc });
  return { ...node, entries };
}

/** `[K=V, K2]` or `{K: V}` → a map of strings; a key without a value gets `bare` (null: pass through). */
function stringMap(bare: string | null): Fix {
  return (node, path, problems) => {
    if (node.kind === 'seq') {
      const entries = new Map<string, LNode>();
      node.items.forEach((item, i) => {
        if (item.kind !== 'scalar' || item.value === null || item.value === '') {
          problems.push(problemAt(item.loc, [...path, i], 'expected a "KEY=VALUE" string'));
          return;
        }
        const s = String(item.value);
        const eq = s.indexOf('=');
        const value = eq < 0 ? bare : s.slice(eq + 1);
        const key = eq < 0 ? s : s.slice(0, eq);
        entries.set(key, { kind: 'scalar', value, loc: item.loc, keyLoc: item.loc });
      });
      return { kind: 'map', entries, loc: node.loc, keyLoc: node.keyLoc };
    }
    return mapEntries(node, (key, v) => {
      if (v.kind !== 'scalar') {
        problems.push(problemAt(v.loc, [...path, key], `expected a string, got a ${v.kind === 'map' ? 'map' : 'list'}`));
        return v;
      }
      return { ...v, value: scalarString(v, bare) };
    });
  };
}

/** Numbers and booleans as written (`1.10` stays "1.10", `0440` stays "0440"). */
function scalarString(v: LScalar, ifNull: string | null): string | null {
  if (v.value === null) return ifNull;
  if (typeof v.value === 'string') return v.value;
  return v.text ?? String(v.value);
}

/** `[a, b]` → `{a: null, b: null}`: depends_on and service networks in their long form. */
const namesToMap: Fix = (node, path, problems) => {
  if (node.kind !== 'seq') return node;
  const entries = new Map<string, LNode>();
  node.items.forEach((item, i) => {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') {
      problems.push(problemAt(item.loc, [...path, i], 'expected a name'));
      return;
    }
    entries.set(item.value, { kind: 'scalar', value: null, loc: item.loc, keyLoc: item.loc });
  });
  const out: LMap = { kind: 'map', entries, loc: node.loc, keyLoc: node.keyLoc };
  return out;
};

const scalarToList: Fix = (node) =>
  node.kind === 'scalar' && node.value !== null ? { kind: 'seq', items: [{ ...node, keyLoc: undefined }], loc: node.loc, keyLoc: node.keyLoc } : node;
