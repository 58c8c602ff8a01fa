// Several stack files merged in order, as Compose merges override files (compose-spec merge.md):
// maps merge key by key; ports, volumes, secrets and configs merge by their unique key; command,
// entrypoint and healthcheck.test are replaced; other lists are appended without duplicates;
// scalars are replaced. Each value keeps the location of the file it was written in.
import type { Path } from './errors.js';
import { type LNode, toPlain } from './yaml-source.js';

type SeqRule = 'replace' | 'append' | ((item: LNode) => string | undefined);

export function mergeTrees(trees: LNode[]): LNode {
  return trees.reduce((base, over) => mergeNode(base, over, []));
}

function mergeNode(base: LNode, over: LNode, path: Path): LNode {
  if (base.kind === 'map' && over.kind === 'map') {
    const entries = new Map(base.entries);
    for (const [k, v] of over.entries) {
      const b = entries.get(k);
      entries.set(k, b ? mergeNode(b, v, [...path, k]) : v);
    }
    return { ...over, entries };
  }
  if (base.kind === 'seq' && over.kind === 'seq') {
    const rule = seqRule(path);
    if (rule === 'replace') return over;
    const keyOf = rule === 'append' ? (n: LNode) => JSON.stringify(toPlain(n)) : rule;
    const items = [...base.items];
    for (const item of over.items) {
      const key = keyOf(item);
      const at = key === undefined ? -1 : items.findIndex((b) => keyOf(b) === key);
      if (at < 0) items.push(item);
      else items[at] = item;
    }
    return { ...over, items };
  }
  return over;
}

function seqRule(path: Path): SeqRule {
  if (path[0] !== 'services') return 'append';
  const field = path.slice(2).join('.');
  switch (field) {
    case 'command':
    case 'entrypoint':
    case 'healthcheck.test':
      return 'replace';
    case 'ports':
      return portKey;
    case 'volumes':
      return volumeTarget;
    case 'secrets':
      return (item) => fileTarget(item, '/run/secrets/');
    case 'configs':
      return (item) => fileTarget(item, '/');
    default:
      return 'append';
  }
}

function entry(node: LNode, key: string): string | undefined {
  if (node.kind !== 'map') return undefined;
  const v = node.entries.get(key);
  return v?.kind === 'scalar' && v.value !== null ? String(v.value) : undefined;
}

/** `{ip, published, target, protocol}` for both "127.0.0.1:8080:80/udp" and the long form. */
function portKey(item: LNode): string | undefined {
  if (item.kind === 'scalar') {
    if (item.value === null) return undefined;
    const [spec, protocol = 'tcp'] = String(item.value).split('/');
    const parts = spec.split(':');
    const target = parts.pop();
    const published = parts.pop() ?? '';
    return `${parts.join(':')}|${published}|${target}|${protocol}`;
  }
  const target = entry(item, 'target');
  if (target === undefined) return undefined;
  return `${entry(item, 'host_ip') ?? ''}|${entry(item, 'published') ?? ''}|${target}|${entry(item, 'protocol') ?? 'tcp'}`;
}

function volumeTarget(item: LNode): string | undefined {
  if (item.kind === 'scalar') {
    if (typeof item.value !== 'string') return undefined;
    const parts = item.value.split(':');
    return parts.length === 1 ? parts[0] : parts[1];
  }
  return entry(item, 'target');
}

function fileTarget(item: LNode, dir: string): string | undefined {
  const source = item.kind === 'scalar' ? (item.value === null ? undefined : String(item.value)) : entry(item, 'source');
  const target = entry(item, 'target') ?? source;
  if (target === undefined) return undefined;
  return target.startsWith('/') ? target : `${dir}${target}`;
}
