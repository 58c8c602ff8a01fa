// `extends:` resolved as Compose does (compose-spec 05-services.md): the base service, from this
// file or from `file:` (relative to the file that names it), is merged under the service with the
// override rules of merge.ts; a base that extends another is resolved first; a cycle is an error
// at the `extends` that closes it. Relative paths of a base from another folder are made absolute,
// so they keep pointing where its author meant.
import * as path from 'node:path';
import { type Path, type Problem, problemAt } from './errors.js';
import { mergeTrees } from './merge.js';
import type { LMap, LNode, LScalar } from './yaml-source.js';

/** Another stack file, read, interpolated and made canonical (undefined, with problems, if it could not be). */
export type LoadTree = (file: string, at: { loc: LNode['loc']; path: Path }) => Promise<{ root?: LNode; problems: Problem[] }>;

/** Bounds a chain of bases (a cycle is caught earlier; this stops a very long honest chain). */
const MAX_DEPTH = 32;

export async function resolveExtends(root: LNode, file: string, load: LoadTree): Promise<{ root: LNode; problems: Problem[] }> {
  const problems: Problem[] = [];
  const services = root.kind === 'map' ? root.entries.get('services') : undefined;
  if (root.kind !== 'map' || services?.kind !== 'map') return { root, problems };
  const ctx: Ctx = { load, problems };
  const resolved = new Map<string, LNode>();
  for (const [name, svc] of services.entries) resolved.set(name, await resolveService(ctx, svc, name, file, root, []));
  const entries = new Map(root.entries).set('services', { ...services, entries: resolved });
  return { root: { ...root, entries }, problems };
}

interface Ctx {
  load: LoadTree;
  problems: Problem[];
}

async function resolveService(ctx: Ctx, svc: LNode, name: string, file: string, fileRoot: LMap, trail: string[]): Promise<LNode> {
  const ext = svc.kind === 'map' ? svc.entries.get('extends') : undefined;
  if (svc.kind !== 'map' || !ext) return svc;
  const own: LMap = { ...svc, entries: new Map([...svc.entries].filter(([k]) => k !== 'extends')) };
  const ref = reference(ext);
  if (!ref) return own; // the compose-spec schema reports the shape
  const at: Path = ['services', name, 'extends'];
  const here = `${file}#${name}`;
  const baseFile = ref.file === undefined ? file : path.isAbsolute(ref.file.value) ? ref.file.value : path.join(path.dirname(file), ref.file.value);
  const key = `${path.resolve(baseFile)}#${ref.service.value}`;
  const chain = [...trail, here];
  const start = chain.findIndex((c) => samePlace(c, key));
  if (start >= 0 || chain.length > MAX_DEPTH) {
    // told from this service: `a -> b -> a` at a's extends
    const cycle = start >= 0 ? [here, ...chain.slice(start, -1), here] : [...chain, key];
    const shown = cycle.map((c) => c.replace(/#([^#]*)$/, ' service $1'));
    ctx.problems.push(problemAt(ext.keyLoc ?? ext.loc, at, `extends cycle: ${shown.join(' -> ')}`));
    return own;
  }
  let baseRoot: LNode = fileRoot;
  if (ref.file !== undefined) {
    const loaded = await ctx.load(baseFile, { loc: ref.file.loc, path: [...at, 'file'] });
    ctx.problems.push(...loaded.problems);
    if (!loaded.root) return own;
    baseRoot = loaded.root;
  }
  const baseServices = baseRoot.kind === 'map' ? baseRoot.entries.get('services') : undefined;
  const base = baseServices?.kind === 'map' ? baseServices.entries.get(ref.service.value) : undefined;
  if (!base || baseRoot.kind !== 'map') {
    ctx.problems.push(problemAt(ref.service.loc, [...at, 'service'], `no service "${ref.service.value}" in ${baseFile}`));
    return own;
  }
  let resolvedBase = await resolveService(ctx, base, ref.service.value, baseFile, baseRoot, chain);
  if (path.resolve(path.dirname(baseFile)) !== path.resolve(path.dirname(file))) resolvedBase = absolutePaths(resolvedBase, path.dirname(baseFile));
  const merged = mergeTrees([wrap(name, resolvedBase), wrap(name, own)]);
  return (((merged as LMap).entries.get('services') as LMap).entries.get(name) as LNode) ?? own;
}

function samePlace(a: string, b: string): boolean {
  const [fa, sa] = [a.slice(0, a.lastIndexOf('#')), a.slice(a.lastIndexOf('#') + 1)];
  return `${path.resolve(fa)}#${sa}` === b;
}

/** `extends: base` or `extends: {service: base, file: common.yaml}`. */
function reference(ext: LNode): { service: LScalar & { value: string }; file?: LScalar & { value: string } } | undefined {
  const text = (n: LNode | undefined) => (n?.kind === 'scalar' && typeof n.value === 'string' ? (n as LScalar & { value: string }) : undefined);
  if (ext.kind === 'scalar') {
    const service = text(ext);
    return service ? { service } : undefined;
  }
  if (ext.kind !== 'map') return undefined;
  const service = text(ext.entries.get('service'));
  const file = text(ext.entries.get('file'));
  if (!service || (ext.entries.has('file') && !file)) return undefined;
  return { service, ...(file ? { file } : {}) };
}

function wrap(name: string, svc: LNode): LNode {
  const map = (entries: [string, LNode][]): LMap => ({ kind: 'map', loc: svc.loc, entries: new Map(entries) });
  return map([['services', map([[name, svc]])]]);
}

const isRelative = (p: string) => p.startsWith('./') || p.startsWith('../') || p === '.' || p === '..';

/** A base from another folder: its build context, env files and bind mounts made absolute. */
function absolutePaths(svc: LNode, dir: string): LNode {
  if (svc.kind !== 'map') return svc;
  const fix = (n: LNode, f: (s: string) => string): LNode => (n.kind === 'scalar' && typeof n.value === 'string' ? { ...n, value: f(n.value) } : n);
  const remote = (p: string) => p.includes('://') || p.startsWith('git@') || p.startsWith('github.com/');
  const abs = (p: string) => (path.isAbsolute(p) || p.startsWith('~') || remote(p) ? p : path.resolve(dir, p));
  const entries = new Map(svc.entries);
  const build = entries.get('build');
  if (build?.kind === 'map' && build.entries.has('context')) {
    const context = build.entries.get('context') as LNode;
    entries.set('build', { ...build, entries: new Map(build.entries).set('context', fix(context, abs)) });
  }
  const envFiles = entries.get('env_file');
  if (envFiles?.kind === 'seq') {
    const items = envFiles.items.map((item) =>
      item.kind === 'map' && item.entries.has('path')
        ? { ...item, entries: new Map(item.entries).set('path', fix(item.entries.get('path') as LNode, abs)) }
        : fix(item, abs),
    );
    entries.set('env_file', { ...envFiles, items });
  }
  const volumes = entries.get('volumes');
  if (volumes?.kind === 'seq') {
    const items = volumes.items.map((item) => {
      // short syntax: a source that starts with . is a bind mount relative to the file
      if (item.kind === 'scalar') return fix(item, (s) => (/^\.\.?(\/|:)/.test(s) ? path.resolve(dir, s.slice(0, s.indexOf(':'))) + s.slice(s.indexOf(':')) : s));
      const source = item.kind === 'map' ? item.entries.get('source') : undefined;
      const type = item.kind === 'map' ? item.entries.get('type') : undefined;
      if (item.kind !== 'map' || !source || type?.kind !== 'scalar' || type.value !== 'bind') return item;
      return {
        ...item,
        entries: new Map(item.entries).set(
          'source',
          fix(source, (s) => (isRelative(s) ? path.resolve(dir, s) : s)),
        ),
      };
    });
    entries.set('volumes', { ...volumes, items });
  }
  return { ...svc, entries };
}
