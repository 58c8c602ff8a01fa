// Configs and secrets as files in a task's container: which files (pure), and the tar archive that
// carries them into the container before it starts (in memory; tar-stream).
import { pack } from 'tar-stream';
import type { Task } from '../api/objects.js';
import type { FileRefSpec } from '../stackfile/types.js';
import { ContainerSpecError } from './docker-spec.js';
import type { ContainerFile } from './types.js';

/** The decoded contents of the stack's configs and secrets, by their key in the stack file. */
export interface FileContents {
  configs: Record<string, Buffer>;
  secrets: Record<string, Buffer>;
}

/**
 * The files a task's configs and secrets become, at their target with uid, gid and mode. A relative
 * target is taken as Swarm does: a secret under /run/secrets/, a config under /.
 * The agent puts secrets on its tmpfs and bind-mounts them (agent/secret-files.ts); only a remote
 * engine's get the tar.
 */
export function taskFiles(task: Task, contents: FileContents): ContainerFile[] {
  const s = task.spec.template;
  const file = (ref: FileRefSpec, kind: 'config' | 'secret'): ContainerFile => {
    const content = (kind === 'config' ? contents.configs : contents.secrets)[ref.source];
    if (content === undefined) {
      throw new ContainerSpecError(`task ${task.spec.stack}/${task.metadata.name} (service ${task.spec.service}): no content for ${kind} "${ref.source}"`);
    }
    const base = kind === 'secret' ? '/run/secrets/' : '/';
    return {
      path: ref.target.startsWith('/') ? ref.target : base + ref.target,
      content,
      uid: Number(ref.uid || 0),
      gid: Number(ref.gid || 0),
      mode: ref.mode,
    };
  };
  return [...s.configs.map((r) => file(r, 'config')), ...s.secrets.map((r) => file(r, 'secret'))];
}

/** A tar of the files with paths relative to `/` (for putArchive at `/`). The engine creates
 *  missing parent directories (mode 0755, owned by root). */
export function filesTar(files: ContainerFile[], mtime = new Date()): Promise<Buffer> {
  const archive = pack();
  for (const f of files) {
    archive.entry({ name: f.path.replace(/^\/+/, ''), mode: f.mode, uid: f.uid, gid: f.gid, mtime, size: f.content.length }, f.content);
  }
  archive.finalize();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    archive.on('data', (c) => chunks.push(c as Buffer));
    archive.on('end', () => resolve(Buffer.concat(chunks)));
    archive.on('error', reject);
  });
}
