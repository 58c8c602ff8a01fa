// Placement constraints as Swarm writes them: `node.labels.zone == east`, `node.role != manager`.
// Values compare case-insensitively (as SwarmKit does); label names are case-sensitive; a missing
// label reads as "" (so `node.labels.zone != east` holds on a node without the label).
import type { Node } from '../api/objects.js';

export interface Constraint {
  /** as written, trimmed */
  text: string;
  key: string;
  op: '==' | '!=';
  value: string;
}

const KEY = /^[a-z_][a-z0-9\-_.]+$/i;
const VALUE = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;
const FIXED_KEYS = ['node.id', 'node.hostname', 'node.role', 'node.platform.os', 'node.platform.arch'];
const LABEL_PREFIXES = ['node.labels.', 'engine.labels.'];
export const KNOWN_KEYS = 'node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.<name>, engine.labels.<name>';

/** Parse one constraint; throws an Error with a one-line message naming the constraint. */
export function parseConstraint(text: string): Constraint {
  const trimmed = text.trim();
  const fail = (why: string) => new Error(`invalid constraint ${JSON.stringify(trimmed)}: ${why}`);
  const at = ['==', '!=']
    .map((op) => ({ op, i: trimmed.indexOf(op) }))
    .filter((x) => x.i > 0)
    .sort((a, b) => a.i - b.i)[0];
  if (!at) throw fail('expected KEY==VALUE or KEY!=VALUE');
  let key = trimmed.slice(0, at.i).trim();
  const value = trimmed.slice(at.i + 2).trim();
  if (!KEY.test(key)) throw fail(`bad key ${JSON.stringify(key)}`);
  if (!VALUE.test(value)) throw fail(`bad value ${JSON.stringify(value)}`);
  const prefix = LABEL_PREFIXES.find((p) => key.toLowerCase().startsWith(p));
  if (prefix) {
    if (key.length === prefix.length) throw fail('missing label name');
    key = prefix + key.slice(prefix.length);
  } else if (FIXED_KEYS.includes(key.toLowerCase())) {
    key = key.toLowerCase();
  } else {
    throw fail(`unknown key ${key} (known: ${KNOWN_KEYS})`);
  }
  return { text: `${key}${at.op}${value}`, key, op: at.op as Constraint['op'], value };
}

export type ParsedConstraints = { ok: true; constraints: Constraint[] } | { ok: false; error: string };

/** Parse a service's constraints once; the first invalid one is the error. */
export function parseConstraints(texts: string[]): ParsedConstraints {
  try {
    return { ok: true, constraints: texts.map(parseConstraint) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** The node's values for a key (node.id matches the node's name or its uid). */
function nodeValues(node: Node, key: string): string[] {
  if (key.startsWith('node.labels.')) return [node.spec.labels[key.slice(12)] ?? ''];
  if (key.startsWith('engine.labels.')) return [node.status?.engineLabels?.[key.slice(14)] ?? ''];
  switch (key) {
    case 'node.id':
      return [node.metadata.name, node.metadata.uid];
    case 'node.hostname':
      return [node.status?.hostname ?? ''];
    case 'node.role':
      return [node.spec.role];
    case 'node.platform.os':
      return [node.status?.platform?.os ?? ''];
    case 'node.platform.arch':
      return [node.status?.platform?.arch ?? ''];
    default:
      return [''];
  }
}

export function matchesConstraint(c: Constraint, node: Node): boolean {
  const want = c.value.toLowerCase();
  const equal = nodeValues(node, c.key).some((v) => v.toLowerCase() === want);
  return c.op === '==' ? equal : !equal;
}

export function matchesAll(constraints: Constraint[], node: Node): boolean {
  return constraints.every((c) => matchesConstraint(c, node));
}
