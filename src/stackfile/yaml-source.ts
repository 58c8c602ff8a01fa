// Parse a stack file into a tree that remembers where every key and value was written, so that
// problems found after interpolation, merging and validation still name file:line:col.
import { LineCounter, isAlias, isMap, isNode, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Alias, Document, Node as YamlNode, ScalarTag } from 'yaml';
import { type Loc, type Path, type Problem, problemAt } from './errors.js';
import { setOwn } from './safe.js';

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
/** The expanded document is bounded (aliases can make a 1 KB file expand to gigabytes). */
export const MAX_NODES = 250_000;
export const MAX_ALIASES = 10_000;

export function parseYaml(text: string, file: string): { root: LNode; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const at = (offset: number): Loc => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const empty = (): LMap => ({ kind: 'map', entries: new Map(), loc: at(0) });
  let doc: Document;
  try {
    doc = parseDocument(text, {
      lineCounter,
      merge: true,
      prettyErrors: false,
      customTags: (tags) => [yaml11Octal, ...tags],
    });
  } catch {
    // the parser recurses: thousands of nested [ or { exhaust the stack
    return { root: empty(), problems: [problemAt({ file, line: 1, col: 1 }, [], 'nested too deeply')] };
  }
  // warnings too: an unresolved tag (Compose's !reset, !override) would otherwise be read as a plain string
  const first = syntaxProblem(text, [...doc.errors, ...doc.warnings]);
  if (first) return { root: empty(), problems: [problemAt(at(first.offset), [], first.message)] };
  if (doc.contents == null) return { root: empty(), problems: [] };
  const ctx: Ctx = { at, problems: [], anchors: anchorsOf(doc), nodes: 0, aliases: 0, stop: false };
  const root = convert(doc.contents, ctx, [], 0);
  return ctx.problems.length > 0 ? { root: empty(), problems: ctx.problems } : { root, problems: [] };
}

interface YamlError {
  code: string;
  pos: [number, number];
  message: string;
}

/**
 * The first syntax error, placed on the line the user got wrong: an over-indented key is reported
 * at its own line (the parser notices it on the line before), and an error found on a blank or
 * comment line moves to the next line with content.
 */
function syntaxProblem(text: string, errors: YamlError[]): { offset: number; message: string } | undefined {
  if (errors.length === 0) return undefined;
  const multiline = errors.find((e) => e.code === 'MULTILINE_IMPLICIT_KEY');
  if (multiline) {
    const lineStart = text.lastIndexOf('\n', multiline.pos[1] - 1) + 1;
    return { offset: nextContent(text, lineStart), message: 'mapping values are not allowed here (is this key indented too far?)' };
  }
  const e = errors[0];
  const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '');
  return { offset: nextContent(text, e.pos[0]), message };
}

/** `offset`, or when it is on white space or a comment, the next character that is neither. */
function nextContent(text: string, offset: number): number {
  let i = offset;
  for (;;) {
    while (i < text.length && /[ \t\r\n]/.test(text[i])) i++;
    if (text[i] !== '#' || (i > 0 && !/[ \t\n]/.test(text[i - 1]))) break;
    while (i < text.length && text[i] !== '\n') i++;
  }
  return i < text.length ? i : offset;
}

interface Ctx {
  at(offset: number): Loc;
  problems: Problem[];
  /** anchor name → its nodes in document order (a later anchor of the same name replaces the earlier) */
  anchors: Map<string, { offset: number; node: YamlNode }[]>;
  nodes: number;
  aliases: number;
  /** a bound was crossed: convert no further */
  stop: boolean;
}

function anchorsOf(doc: Document): Ctx['anchors'] {
  const anchors: Ctx['anchors'] = new Map();
  visit(doc, (_key, node) => {
    if (!isNode(node) || !node.anchor) return;
    const list = anchors.get(node.anchor) ?? [];
    list.push({ offset: node.range?.[0] ?? 0, node });
    anchors.set(node.anchor, list);
  });
  return anchors;
}

/** The node an alias refers to: the last anchor of that name before it. */
function resolveAlias(alias: Alias, ctx: Ctx): YamlNode | undefined {
  const offset = alias.range?.[0] ?? 0;
  let found: YamlNode | undefined;
  for (const a of ctx.anchors.get(alias.source) ?? []) if (a.offset < offset) found = a.node;
  return found;
}

function convert(node: YamlNode, ctx: Ctx, path: Path, depth: number): LNode {
  const loc = ctx.at(node.range?.[0] ?? 0);
  const stop = (message: string) => {
    ctx.problems.push(problemAt(loc, path, message));
    ctx.stop = true;
    return nullAt(loc);
  };
  if (ctx.stop) return nullAt(loc);
  if (depth > MAX_DEPTH) return stop('nested too deeply (recursive alias?)');
  if (++ctx.nodes > MAX_NODES) return stop(`the document expands to more than ${MAX_NODES} values (aliases used too often?)`);
  if (isAlias(node)) {
    if (++ctx.aliases > MAX_ALIASES) return stop(`more than ${MAX_ALIASES} aliases are expanded`);
    const target = resolveAlias(node, ctx);
    if (!target) {
      ctx.problems.push(problemAt(loc, path, `unknown alias *${node.source}`));
      return nullAt(loc);
    }
    return convert(target, ctx, path, depth + 1);
  }
  if (isSeq(node)) {
    const items = node.items.map((it, i) => (it == null ? nullAt(loc) : convert(it as YamlNode, ctx, [...path, i], depth + 1)));
    return { kind: 'seq', items, loc };
  }
  if (isMap(node)) return convertMap(node.items, loc, ctx, path, depth);
  if (isScalar(node)) {
    const v = node.value;
    const value: ScalarValue = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    const plain = node.type === 'PLAIN' && typeof node.source === 'string';
    return plain ? { kind: 'scalar', value, loc, text: node.source } : { kind: 'scalar', value, loc };
  }
  ctx.problems.push(problemAt(loc, path, 'unsupported YAML node'));
  return nullAt(loc);
}

function convertMap(pairs: { key: unknown; value: unknown }[], loc: Loc, ctx: Ctx, path: Path, depth: number): LMap {
  const entries = new Map<string, LNode>();
  const merges: LNode[] = [];
  for (const pair of pairs) {
    const keyNode = pair.key as YamlNode | null;
    const keyLoc = keyNode?.range ? ctx.at(keyNode.range[0]) : loc;
    if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
      // `<<: *anchor` or `<<: [*a, *b]`: fill in keys not written explicitly, earlier sources first
      const src = convert(pair.value as YamlNode, ctx, path, depth + 1);
      merges.push(...(src.kind === 'seq' ? src.items : [src]));
      continue;
    }
    if (!isScalar(keyNode)) {
      ctx.problems.push(problemAt(keyLoc, path, 'map keys must be strings'));
      continue;
    }
    const key = String(keyNode.value);
    const value = pair.value == null ? nullAt(keyLoc) : convert(pair.value as YamlNode, ctx, [...path, key], depth + 1);
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
  for (const [k, v] of node.entries) setOwn(out, k, toPlain(v));
  return out;
}

/** The node at `path`, or the deepest node on the way there (`exact` false). */
export function locate(root: LNode, path: Path): { node: LNode; exact: boolean } {
  let node = root;
  for (const part of path) {
    const next = node.kind === 'map' ? node.entries.get(String(part)) : node.kind === 'seq' && typeof part === 'number' ? node.items[part] : undefined;
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
