// Parse a stack file into a tree that remembers where every key and value was written, so that
// problems found after interpolation, merging and validation still name file:line:col.
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode, ScalarTag } from 'yaml';
import { type Loc, type Path, type Problem, problemAt } from './errors.js';

export type ScalarValue = string | number | boolean | null;
interface Located {
  loc: Loc;
  /** where the key naming this value was written (map entries only) */
  keyLoc?: Loc;
}
export interface LScalar extends Located {
  kind: 'scalar';
  value: ScalarValue;
  /** the text as written, for plain scalars (so `0440` or `1.10` can be kept as a string) */
  text?: string;
}
export interface LMap extends Located {
  kind: 'map';
  entries: Map<string, LNode>;
}
export interface LSeq extends Located {
  kind: 'seq';
  items: LNode[];
}
export type LNode = LScalar | LMap | LSeq;

/** YAML 1.1 octal (`0440` = 288), as Compose reads file modes; YAML 1.2's `0o440` still works. */
const yaml11Octal: ScalarTag = {
  identify: () => false, // parse only: never chosen when printing
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^0[0-7]+$/,
  resolve: (s) => parseInt(s, 8),
};

const MAX_DEPTH = 64;

export function parseYaml(text: string, file: string): { root: LNode; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    merge: true,
    prettyErrors: false,
    customTags: (tags) => [yaml11Octal, ...tags],
  });
  const at = (offset: number): Loc => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  // warnings too: an unresolved tag (Compose's !reset, !override) would otherwise be read as a plain string
  const problems: Problem[] = [...doc.errors, ...doc.warnings].map((e) => {
    const offset = e.pos[0];
    return problemAt(at(offset), [], e.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, ''));
  });
  const empty: LMap = { kind: 'map', entries: new Map(), loc: at(0) };
  if (problems.length > 0 || doc.contents == null) return { root: empty, problems };
  const root = convert(doc, doc.contents, { at, problems }, [], 0);
  return { root, problems };
}

interface Ctx {
  at(offset: number): Loc;
  problems: Problem[];
}

function convert(doc: Document, node: YamlNode, ctx: Ctx, path: Path, depth: number): LNode {
  const loc = ctx.at(node.range?.[0] ?? 0);
  if (depth > MAX_DEPTH) {
    ctx.problems.push(problemAt(loc, path, 'nested too deeply (recursive alias?)'));
    return { kind: 'scalar', value: null, loc };
  }
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) {
      ctx.problems.push(problemAt(loc, path, `unknown alias *${node.source}`));
      return { kind: 'scalar', value: null, loc };
    }
    return convert(doc, target, ctx, path, depth + 1);
  }
  if (isSeq(node)) {
    const items = node.items.map((it, i) =>
      it == null ? nullAt(loc) : convert(doc, it as YamlNode, ctx, [...path, i], depth + 1),
    );
    return { kind: 'seq', items, loc };
  }
  if (isMap(node)) return convertMap(doc, node.items, loc, ctx, path, depth);
  if (isScalar(node)) {
    const v = node.value;
    const value: ScalarValue =
      v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    const plain = node.type === 'PLAIN' && typeof node.source === 'string';
    return plain ? { kind: 'scalar', value, loc, text: node.source } : { kind: 'scalar', value, loc };
  }
  ctx.problems.push(problemAt(loc, path, 'unsupported YAML node'));
  return nullAt(loc);
}

function convertMap(
  doc: Document,
  pairs: { key: unknown; value: unknown }[],
  loc: Loc,
  ctx: Ctx,
  path: Path,
  depth: number,
): LMap {
  const entries = new Map<string, LNode>();
  const merges: LNode[] = [];
  for (const pair of pairs) {
    const keyNode = pair.key as YamlNode | null;
    const keyLoc = keyNode?.range ? ctx.at(keyNode.range[0]) : loc;
    if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
      // `<<: *anchor` or `<<: [*a, *b]`: fill in keys not written explicitly, earlier sources first
      const src = convert(doc, pair.value as YamlNode, ctx, path, depth + 1);
      merges.push(...(src.kind === 'seq' ? src.items : [src]));
      continue;
    }
    if (!isScalar(keyNode)) {
      ctx.problems.push(problemAt(keyLoc, path, 'map keys must be strings'));
      continue;
    }
    const key = String(keyNode.value);
    const value = pair.value == null
      ? nullAt(keyLoc)
      : convert(doc, pair.value as YamlNode, ctx, [...path, key], depth + 1);
    entries.set(key, { ...value, keyLoc });
  }
  for (const src of merges) {
    if (src.kind !== 'map') {
      ctx.problems.push(problemAt(src.loc, path, 'merge sources (<<) must be maps'));
      continue;
    }
    for (const [k, v] of src.entries) if (!entries.has(k)) entries.set(k, v);
  }
  return { kind: 'map', entries, loc };
}

function nullAt(loc: Loc): LScalar {
  return { kind: 'scalar', value: null, loc };
}

/** The plain JavaScript value of a tree, for validation. */
export function toPlain(node: LNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of node.entries) out[k] = toPlain(v);
  return out;
}

/** The node at `path`, or the deepest node on the way there (`exact` false). */
export function locate(root: LNode, path: Path): { node: LNode; exact: boolean } {
  let node = root;
  for (const part of path) {
    const next =
      node.kind === 'map' ? node.entries.get(String(part))
      : node.kind === 'seq' && typeof part === 'number' ? node.items[part]
      : undefined;
    if (!next) return { node, exact: false };
    node = next;
  }
  return { node, exact: true };
}

/** Where to report a problem about `path`: its value, or its key (`onKey`), or the nearest parent's key. */
export function locFor(root: LNode, path: Path, onKey = false): Loc {
  const { node, exact } = locate(root, path);
  if (exact && !onKey) return node.loc;
  return node.keyLoc ?? node.loc;
}
