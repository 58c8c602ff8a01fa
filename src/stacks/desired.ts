// A loaded stack file → the objects a deploy writes. Pure.
import { createHash } from 'node:crypto';
import type { NewObject } from '../api/meta.js';
import type { FileObjectData } from '../api/objects.js';
import type { FileRefSpec, StackSpec } from '../stackfile/types.js';

export interface StackInput {
  stack: StackSpec;
  configData: Record<string, Buffer>;
  secretData: Record<string, Buffer>;
}

/** Configs and secrets are versioned by content: `<key>-<first 12 hex of sha256>`. */
export function fileVersion(sha256: string): string {
  return sha256.slice(0, 12);
}

export function versionedName(key: string, version?: string): string {
  return version ? `${key}-${version}` : key;
}

/** Stack first, then its children in the order `docker stack deploy` creates them:
 *  networks, volumes, secrets, configs, services (ownerReferences are filled in by planDeploy). */
export function desiredStackObjects(name: string, input: StackInput): NewObject[] {
  const spec: StackSpec = { ...input.stack, name };
  const objects: NewObject[] = [{ kind: 'Stack', metadata: { name, namespace: '' }, spec }];
  const child = (kind: NewObject['kind'], key: string, childSpec: unknown): NewObject => ({
    kind,
    metadata: { name: key, namespace: name, labels: { 'io.stackd.stack': name } },
    spec: childSpec,
  });
  for (const [key, net] of Object.entries(spec.networks)) {
    if (!net.external) objects.push(child('Network', key, { ...net, stack: name }));
  }
  for (const [key, vol] of Object.entries(spec.volumes)) {
    if (!vol.external) objects.push(child('Volume', key, { ...vol, stack: name }));
  }
  const versions: Record<'Config' | 'Secret', Record<string, string>> = { Config: {}, Secret: {} };
  for (const [kind, defs, data] of [
    ['Secret', spec.secrets, input.secretData],
    ['Config', spec.configs, input.configData],
  ] as const) {
    for (const [key, def] of Object.entries(defs)) {
      if (def.external) continue;
      const content = data[key] ?? Buffer.alloc(0);
      const sha256 = createHash('sha256').update(content).digest('hex');
      const fileData: FileObjectData = { stack: name, name: def.name, data: content.toString('base64'), sha256, labels: def.labels };
      versions[kind][key] = fileVersion(sha256);
      objects.push(child(kind, versionedName(key, versions[kind][key]), fileData));
    }
  }
  for (const [key, service] of Object.entries(spec.services)) {
    const pin = (refs: FileRefSpec[], kind: 'Config' | 'Secret') => refs.map((r) => (versions[kind][r.source] ? { ...r, version: versions[kind][r.source] } : r));
    const template = { ...service, configs: pin(service.configs, 'Config'), secrets: pin(service.secrets, 'Secret') };
    objects.push(child('Service', key, { stack: name, template }));
  }
  return objects;
}
