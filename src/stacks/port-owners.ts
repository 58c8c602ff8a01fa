// Who owns a published port across stacks. An `ingress` port is the routing mesh's on every node
// (src/net/ingress-rules.ts), so it is one stack's alone, cluster-wide, and a `host` port of the
// same number would fight it; two `host` ports only clash per node, which the scheduler handles.
// Pure: a deploy refuses the stack before anything is written.
import type { NewObject } from '../api/meta.js';
import type { Service } from '../api/objects.js';
import type { PortSpec } from '../stackfile/types.js';

const published = (ports: PortSpec[]) => ports.filter((p): p is PortSpec & { published: number } => p.published !== undefined);

/** One line per port of `stack`'s services that another stack already owns. */
export function portConflicts(stack: string, desired: NewObject[], stored: Service[]): string[] {
  const others = stored
    .filter((s) => s.spec.stack !== stack)
    .sort((a, b) => `${a.spec.stack}_${a.metadata.name}`.localeCompare(`${b.spec.stack}_${b.metadata.name}`));
  const out: string[] = [];
  for (const obj of desired) {
    if (obj.kind !== 'Service') continue;
    const mine = published((obj.spec as Service['spec']).template.ports);
    for (const p of mine) {
      for (const other of others) {
        const q = published(other.spec.template.ports).find(
          (o) => o.published === p.published && o.protocol === p.protocol && (o.mode === 'ingress' || p.mode === 'ingress'),
        );
        if (!q) continue;
        out.push(
          `stack ${stack}: service ${obj.metadata.name} publishes port ${p.published}/${p.protocol} (${p.mode}), which stack ${other.spec.stack} already owns (service ${other.spec.stack}_${other.metadata.name}, ${q.mode}); pick another published port or remove that stack first`,
        );
        break;
      }
    }
  }
  return out;
}
