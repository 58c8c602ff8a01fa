// The parsed stack in its long form with every default explicit (Swarm's engine defaults), names
// on the cluster, absolute paths and the `default` network. Pure: files were read by load.ts.
import * as path from 'node:path';
import type { ParsedFileObject, ParsedStack } from './schema.js';
import type { FileObjectSpec, NetworkSpec, ServiceSpec, StackSpec, VolumeSpec } from './types.js';
import { normalizeService } from './normalize-service.js';
import { setOwn } from './safe.js';

export interface NormalizeContext {
  /** the stack's name (see stackName) */
  name: string;
  /** absolute; relative paths in the files resolve against it (the first file's folder, as in Compose) */
  projectDir: string;
  homeDir: string;
  /** service → the variables of its env_file entries, merged in order */
  envFiles: Record<string, Record<string, string>>;
}

/** The name given, else `name:` in the files, else the project folder's name; lower case, [a-z0-9_-]. */
export function stackName(given: string | undefined, fromFile: string | undefined, projectDir: string): string {
  const raw = given ?? fromFile ?? path.basename(projectDir);
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

export function normalize(parsed: ParsedStack, ctx: NormalizeContext): StackSpec {
  const services: Record<string, ServiceSpec> = {};
  for (const key of Object.keys(parsed.services).sort()) {
    setOwn(services, key, normalizeService(parsed.services[key], key, ctx));
  }
  const networks = mapSorted(
    parsed.networks,
    (key, n): NetworkSpec => ({
      name: clusterName(ctx.name, key, n?.name, n?.external),
      ...(n?.driver !== undefined ? { driver: n.driver } : {}),
      driver_opts: n?.driver_opts ?? {},
      external: n?.external?.external ?? false,
      ...(n?.internal !== undefined ? { internal: n.internal } : {}),
      ...(n?.attachable !== undefined ? { attachable: n.attachable } : {}),
      ...(n?.ipam?.config?.[0]?.subnet !== undefined ? { subnet: n.ipam.config[0].subnet } : {}),
      labels: n?.labels ?? {},
    }),
  );
  const usesDefault = Object.values(services).some((s) => s.networks.default !== undefined);
  if (usesDefault && !networks.default) {
    // Swarm would make an overlay; stackd runs a bridge per node
    setOwn(networks, 'default', { name: `${ctx.name}_default`, driver: 'bridge', driver_opts: {}, external: false, labels: {} });
  }
  const volumes = mapSorted(
    parsed.volumes,
    (key, v): VolumeSpec => ({
      name: clusterName(ctx.name, key, v?.name, v?.external),
      ...(v?.driver !== undefined ? { driver: v.driver } : {}),
      driver_opts: v?.driver_opts ?? {},
      external: v?.external?.external ?? false,
      labels: v?.labels ?? {},
    }),
  );
  const fileObject = (key: string, o: ParsedFileObject | null): FileObjectSpec => ({
    name: clusterName(ctx.name, key, o?.name, o?.external),
    ...(o?.file !== undefined && !o.external?.external ? { file: path.resolve(ctx.projectDir, o.file) } : {}),
    external: o?.external?.external ?? false,
    labels: o?.labels ?? {},
  });
  const stack: StackSpec = {
    name: ctx.name,
    services,
    networks: sortKeys(networks),
    volumes,
    configs: mapSorted(parsed.configs, fileObject),
    secrets: mapSorted(parsed.secrets, fileObject),
  };
  if (parsed.extensions) stack.extensions = parsed.extensions;
  return stack;
}

/** `<stack>_<key>`, unless named with `name:` or external (then the name is the key or `name:`). */
function clusterName(stack: string, key: string, name?: string, external?: { external: boolean; name?: string }): string {
  if (external?.external) return external.name ?? name ?? key;
  return name ?? `${stack}_${key}`;
}

function mapSorted<T, U>(m: Record<string, T> | null | undefined, f: (key: string, v: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const key of Object.keys(m ?? {}).sort()) setOwn(out, key, f(key, m![key]));
  return out;
}

function sortKeys<T>(m: Record<string, T>): Record<string, T> {
  return mapSorted(m, (_k, v) => v);
}
