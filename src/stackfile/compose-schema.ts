// The official compose-spec JSON schema decides what a Compose file may say (stackd's own schema,
// schema*.ts, then decides what stackd does with it). The schema is compiled ahead of time by
// hack/gen-compose-validator.mjs (ajv standalone): loading it costs ~20 ms, compiling ~300 ms.
import { createRequire } from 'node:module';
import type { Issue, Path } from './errors.js';
import { describe } from './fields.js';
import { closest } from './suggest.js';

interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}
type Validate = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };
interface SchemaNode {
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
}

const VENDORED = '../../third_party/compose-spec/';
let loaded: { validate: Validate; schema: SchemaNode } | undefined;

/** Loaded on first use: commands that read no stack file do not pay for it. */
function validator() {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = { validate: require(`${VENDORED}validate.cjs`) as Validate, schema: require(`${VENDORED}compose-spec.json`) };
  }
  return loaded;
}

/** Problems of one file (interpolated, before merging) by the compose-spec schema, in stackd's words. */
export function validateCompose(data: unknown): Issue[] {
  const { validate, schema } = validator();
  // `version: 3.8` unquoted is a number; Compose ignores the key, so its type does not matter either
  if (data !== null && typeof data === 'object' && typeof (data as { version?: unknown }).version === 'number') {
    data = { ...data, version: String((data as { version: number }).version) };
  }
  if (validate(data)) return [];
  return relevant(validate.errors ?? []).map((e) => toIssue(e, data, schema));
}

/**
 * ajv reports every branch of a `oneOf`: keep what the user most likely meant. A type error is
 * dropped where something deeper or more specific failed (the branch that matched the shape).
 */
function relevant(errors: SchemaError[]): SchemaError[] {
  const detailed = errors.filter((e) => !['oneOf', 'anyOf', 'if'].includes(e.keyword));
  const pool = detailed.length > 0 ? detailed : errors;
  const kept = pool.filter((e) => {
    if (e.keyword !== 'type' && e.keyword !== 'oneOf') return true;
    return !pool.some((o) => o !== e && isUnder(o.instancePath, e.instancePath) && (o.instancePath !== e.instancePath || o.keyword !== 'type'));
  });
  // one line per place: several branches' type errors at one path become "a string or a list"
  const byPlace = new Map<string, SchemaError>();
  for (const e of kept) {
    const key = `${e.instancePath}\0${e.keyword}\0${e.keyword === 'additionalProperties' ? String(e.params.additionalProperty) : ''}`;
    const seen = byPlace.get(key);
    if (seen && e.keyword === 'type') seen.params = { type: [...types(seen), ...types(e)] };
    else if (!seen) byPlace.set(key, { ...e });
  }
  return [...byPlace.values()];
}

function isUnder(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

function types(e: SchemaError): string[] {
  const t = e.params.type;
  return Array.isArray(t) ? t.map(String) : [String(t)];
}

const ARTICLE: Record<string, string> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  null: 'null',
};

function toIssue(e: SchemaError, data: unknown, schema: SchemaNode): Issue {
  const path = toPath(e.instancePath, data);
  const value = valueAt(data, path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const known = knownKeys(schema, path);
      if (known.length === 0) return { path: [...path, key], onKey: true, message: `invalid name ${JSON.stringify(key)}` };
      const guess = closest(key, known);
      return { path: [...path, key], onKey: true, message: guess ? `unknown key, did you mean "${guess}"?` : 'unknown key' };
    }
    case 'type': {
      const expected = [...new Set(types(e))].map((t) => ARTICLE[t] ?? t).join(' or ');
      return { path, message: `expected ${expected}, got ${describe(value)}` };
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { path, message: `expected one of ${allowed}, got ${describe(value)}` };
    }
    case 'required':
      return { path: [...path, String(e.params.missingProperty)], message: 'required' };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/** "/services/web/ports/0" → ['services', 'web', 'ports', 0] (numbers where the value is a list). */
function toPath(pointer: string, data: unknown): Path {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key = Array.isArray(node) ? Number(part) : part;
    out.push(key);
    node = node !== null && typeof node === 'object' && Object.hasOwn(node, key) ? (node as Record<string | number, unknown>)[key] : undefined;
  }
  return out;
}

function valueAt(data: unknown, path: Path): unknown {
  let node = data;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** The keys the schema allows in the map at `path` (every branch of a oneOf alike). */
function knownKeys(root: SchemaNode, path: Path): string[] {
  let nodes = [root];
  for (const part of path) {
    nodes = nodes
      .flatMap((n) => branches(root, n))
      .flatMap((n): SchemaNode[] => {
        if (typeof part === 'number') return n.items ? [n.items] : [];
        if (n.properties && Object.hasOwn(n.properties, part)) return [n.properties[part]];
        return Object.entries(n.patternProperties ?? {})
          .filter(([re]) => new RegExp(re, 'u').test(part))
          .map(([, s]) => s);
      });
  }
  return [...new Set(nodes.flatMap((n) => branches(root, n)).flatMap((n) => Object.keys(n.properties ?? {})))];
}

/** A schema node with its `$ref` followed and its oneOf/anyOf branches spread. */
function branches(root: SchemaNode, node: SchemaNode): SchemaNode[] {
  const target = node.$ref ? resolveRef(root, node.$ref) : node;
  if (!target) return [];
  const alternatives = [...(target.oneOf ?? []), ...(target.anyOf ?? [])];
  return [target, ...alternatives.flatMap((b) => branches(root, b))];
}

function resolveRef(root: SchemaNode, ref: string): SchemaNode | undefined {
  let node: unknown = root;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node as SchemaNode;
}
