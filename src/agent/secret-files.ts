// Secrets on a node as Swarm keeps them: files on a tmpfs the agent owns, bind-mounted read-only
// into the container at their target, so nothing of them reaches the container's writable layer or
// the engine's data root, and they go with the task (collectGarbage removes them).
//   <root>/<task id>/<n>     root: STACKD_SECRETS_DIR, else /run/stackd/<node>/secrets, then the
//                            cluster id (two clusters' agents of one node name on one host)
import { execFile } from 'node:child_process';
import { chown, mkdir, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import type { ContainerFile } from '../runtime/types.js';

const TMPFS_MAGIC = 0x01021994;
const mounted = new Map<string, Promise<void>>();

export function secretsRoot(nodeName: string, clusterId: string, env: Record<string, string | undefined> = process.env): string {
  return join(env.STACKD_SECRETS_DIR || join('/run/stackd', nodeName, 'secrets'), clusterId);
}

/** The bind mounts of a task's secrets (pure). */
export function secretMounts(dir: string, files: ContainerFile[]): Dockerode.MountSettings[] {
  return files.map((f, i) => ({ Type: 'bind', Source: join(dir, String(i)), Target: f.path, ReadOnly: true }));
}

/** Mounts a tmpfs at `root` unless one is there already (once per process and root). */
export function ensureTmpfs(root: string): Promise<void> {
  let done = mounted.get(root);
  if (!done) {
    done = (async () => {
      await mkdir(root, { recursive: true, mode: 0o700 });
      if ((await statfs(root)).type === TMPFS_MAGIC) return;
      await promisify(execFile)('mount', ['-t', 'tmpfs', '-o', 'mode=0700,size=64m', 'stackd-secrets', root]);
      if ((await statfs(root)).type !== TMPFS_MAGIC) throw new Error(`${root} is not a tmpfs after mounting one`);
    })();
    done.catch(() => mounted.delete(root));
    mounted.set(root, done);
  }
  return done;
}

/** Writes a task's secrets under root/<task id>/ and returns their mounts. */
export async function writeTaskSecrets(root: string, taskId: string, files: ContainerFile[]): Promise<Dockerode.MountSettings[]> {
  if (files.length === 0) return [];
  await ensureTmpfs(root);
  const dir = join(root, taskId);
  await mkdir(dir, { recursive: true, mode: 0o711 }); // others may traverse: a container user may not be root
  await Promise.all(
    files.map(async (f, i) => {
      const path = join(dir, String(i));
      await writeFile(path, f.content, { mode: f.mode });
      await chown(path, f.uid, f.gid);
    }),
  );
  return secretMounts(dir, files);
}

/** The tasks not in `keep` that have secrets here. */
export async function straySecrets(root: string, keep: ReadonlySet<string>): Promise<string[]> {
  const dirs = await readdir(root).catch(() => [] as string[]);
  return dirs.filter((d) => !keep.has(d));
}

/** Removes the secrets of every task not in `keep`. */
export async function removeTaskSecrets(root: string, keep: ReadonlySet<string>): Promise<string[]> {
  const gone = await straySecrets(root, keep);
  await Promise.all(gone.map((d) => rm(join(root, d), { recursive: true, force: true })));
  return gone;
}
