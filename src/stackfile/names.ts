// Names of services, networks, volumes, configs and secrets, by Compose's rule (the compose-spec
// schema's `^[a-zA-Z0-9._-]+$`): they become parts of container, network and DNS names.
import type { Issue } from './errors.js';
import type { LNode } from './yaml-source.js';

const VALID = /^[a-zA-Z0-9._-]+$/;
const KINDS = { services: 'service', networks: 'network', volumes: 'volume', configs: 'config', secrets: 'secret' } as const;

export function checkNames(root: LNode): Issue[] {
  const issues: Issue[] = [];
  if (root.kind !== 'map') return issues;
  for (const [section, kind] of Object.entries(KINDS)) {
    const node = root.entries.get(section);
    if (node?.kind !== 'map') continue;
    for (const name of node.entries.keys()) {
      if (VALID.test(name)) continue;
      issues.push({
        path: [section, name],
        onKey: true,
        message: `invalid ${kind} name ${JSON.stringify(name)}: use letters, digits, ".", "_" and "-"`,
      });
    }
  }
  return issues;
}
