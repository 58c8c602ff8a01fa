// The file formats sops writes, each seen as an ordered list of leaf values (sops's walk order, which
// its MAC depends on) plus the `sops` metadata block. sops picks the format by file extension.
import { basename, extname } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, visit, type Document, type Node } from 'yaml';
import type { Plain } from './cipher.js';
import { flatten, unflatten } from './metadata.js';

export type SopsFormat = 'yaml' | 'json' | 'dotenv' | 'ini' | 'binary';

export interface Leaf {
  /** map keys from the root; list items share their list's path, as in sops */
  readonly path: string[];
  readonly value: Plain;
  set(value: Plain): void;
}

export interface SopsFile {
  readonly format: SopsFormat;
  leaves(): Leaf[];
  /** the raw `sops` block (unflattened for dotenv), or undefined */
  metadata(): unknown;
  /** replaces the `sops` block; undefined removes it */
  setMetadata(meta: Record<string, unknown> | undefined): void;
  render(): Buffer;
}

export function formatOf(fileName: string): SopsFormat {
  const ext = extname(fileName).toLowerCase() || (basename(fileName) === '.env' ? '.env' : '');
  return ({ '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json', '.env': 'dotenv', '.ini': 'ini' } as const)[ext] ?? 'binary';
}

export function parseSopsFile(content: Buffer, fileName: string): SopsFile {
  const format = formatOf(fileName);
  if (format === 'yaml' || format === 'json') return treeFile(content, format);
  if (format === 'dotenv') return dotenvFile(content);
  if (format === 'ini') throw new Error('sops INI files are not supported (use YAML, JSON or dotenv)');
  return binaryFile(content);
}

/** YAML (each document of a multi-document file carries the same sops block) and JSON. */
function treeFile(content: Buffer, format: 'yaml' | 'json'): SopsFile {
  const parsed = parseAllDocuments(content.toString('utf8'), { uniqueKeys: false });
  const docs = Array.isArray(parsed) ? parsed : [];
  const error = docs.flatMap((d) => d.errors)[0];
  if (error) throw new Error(error.message.split('\n')[0]);
  if (format === 'json' && docs.length !== 1) throw new Error('expected one JSON object');
  return {
    format,
    leaves: () => docs.flatMap(yamlLeaves),
    metadata: () => docs.map((d) => (isMap(d.contents) ? (d.toJS() as Record<string, unknown>).sops : undefined)).find((m) => m),
    setMetadata(meta) {
      for (const doc of docs) {
        if (meta === undefined) doc.delete('sops');
        else doc.set('sops', doc.createNode(meta));
      }
    },
    render() {
      if (format === 'json') return Buffer.from(`${jsonText(docs[0].toJS({ mapAsMap: true }), '')}\n`);
      docs.forEach(dropEncryptedComments);
      const text = docs.map((d, i) => (i > 0 && !d.directives?.docStart ? '---\n' : '') + d.toString({ lineWidth: 0 }));
      return Buffer.from(text.join(''));
    },
  };
}

function yamlLeaves(doc: Document): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (node: unknown, path: string[], replace: (n: Node) => void): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
        if (path.length === 0 && key === 'sops') continue;
        walk(pair.value, [...path, key], (n) => (pair.value = n));
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item, path, (n) => (node.items[i] = n));
    } else if (isAlias(node)) {
      throw new Error(`${path.join('.')}: YAML aliases are not supported in sops files (sops writes none)`);
    } else if (isScalar(node) && node.value !== null && node.value !== undefined) {
      const set = (v: Plain) => {
        const next = doc.createNode(Buffer.isBuffer(v) ? v.toString('utf8') : v);
        Object.assign(next, { comment: node.comment, commentBefore: node.commentBefore, spaceBefore: node.spaceBefore });
        replace(next);
      };
      leaves.push({ path, value: node.value as Plain, set });
    }
  };
  walk(doc.contents, [], (n) => (doc.contents = n));
  return leaves;
}

/** sops encrypts YAML comments too; we keep plain ones and drop encrypted ones rather than decrypt them. */
function dropEncryptedComments(doc: Document): void {
  const clean = (c: string | null | undefined) => {
    const kept = (c ?? '').split('\n').filter((l) => !l.trim().startsWith('ENC[AES256_GCM,'));
    return kept.length > 0 && kept.join('\n') !== '' ? kept.join('\n') : undefined;
  };
  doc.commentBefore = clean(doc.commentBefore) ?? null;
  doc.comment = clean(doc.comment) ?? null;
  visit(doc, {
    Node(_, node) {
      node.commentBefore = clean(node.commentBefore);
      node.comment = clean(node.comment);
    },
  });
}

/** JSON text keeping the key order sops hashed (JSON.parse would move integer-like keys first). */
function jsonText(v: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (v instanceof Map) {
    if (v.size === 0) return '{}';
    const items = [...v].map(([k, x]) => `${inner}${JSON.stringify(String(k))}: ${jsonText(x, inner)}`);
    return `{\n${items.join(',\n')}\n${indent}}`;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + jsonText(x, inner)).join(',\n')}\n${indent}]`;
  }
  return JSON.stringify(v ?? null);
}

/** dotenv: `KEY=value` lines, newlines in values written `\n`, metadata as `sops_...` keys. */
function dotenvFile(content: Buffer): SopsFile {
  type Line = { comment: string } | { key: string; value: string };
  const lines: Line[] = [];
  let meta: Record<string, unknown> | undefined;
  const flatMeta: Array<[string, string]> = [];
  // exactly as sops splits it (stores/dotenv/store.go): a CR stays in the value, and in the MAC
  for (const [i, text] of content.toString('utf8').split('\n').entries()) {
    if (text === '') continue;
    if (text.startsWith('#')) {
      lines.push({ comment: text });
      continue;
    }
    const eq = text.indexOf('=');
    if (eq <= 0) throw new Error(`line ${i + 1}: expected KEY=value`);
    const key = text.slice(0, eq);
    const value = text.slice(eq + 1).replaceAll('\\n', '\n');
    if (key.startsWith('sops_')) flatMeta.push([key.slice('sops_'.length), value]);
    else lines.push({ key, value });
  }
  if (flatMeta.length > 0) meta = unflatten(flatMeta);
  return {
    format: 'dotenv',
    leaves: () => lines.flatMap((l) => ('key' in l ? [{ path: [l.key], value: l.value, set: (v: Plain) => (l.value = String(v)) }] : [])),
    metadata: () => meta,
    setMetadata: (m) => (meta = m),
    render() {
      const kept = lines.filter((l) => !('comment' in l && l.comment.includes('ENC[AES256_GCM,')));
      const out = kept.map((l) => ('key' in l ? `${l.key}=${l.value.replaceAll('\n', '\\n')}` : l.comment));
      if (meta) out.push(...flatten(meta).map(([k, v]) => `sops_${k}=${v.replaceAll('\n', '\\n')}`));
      return Buffer.from(out.map((l) => `${l}\n`).join(''));
    },
  };
}

/** Any other file: sops stores the whole content as one string, `{"data": "ENC[...]", "sops": {...}}`. */
function binaryFile(content: Buffer): SopsFile {
  const wrapped = parseBinaryEnvelope(content);
  let data: Plain = wrapped ? wrapped.data : content;
  let meta = wrapped?.sops;
  return {
    format: 'binary',
    leaves: () => [{ path: ['data'], value: data, set: (v) => (data = v) }],
    metadata: () => meta,
    setMetadata: (m) => (meta = m),
    render() {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(String(data), 'utf8');
      if (!meta) return bytes;
      return Buffer.from(`${JSON.stringify({ data: Buffer.isBuffer(data) ? data.toString('utf8') : data, sops: meta }, null, '\t')}\n`);
    },
  };
}

export function parseBinaryEnvelope(content: Buffer): { data: string; sops: Record<string, unknown> } | undefined {
  const text = content.toString('utf8').trimStart();
  if (!text.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(text) as { data?: unknown; sops?: unknown };
    if (typeof v.data === 'string' && typeof v.sops === 'object' && v.sops !== null) {
      return { data: v.data, sops: v.sops as Record<string, unknown> };
    }
  } catch {
    // not JSON: a plain binary file
  }
  return undefined;
}
