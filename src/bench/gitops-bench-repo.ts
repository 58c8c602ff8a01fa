// A bare repository and a working copy for the GitOps benchmark, driven with the git CLI.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('git', args, { cwd, env: { ...process.env, ...GIT_ENV } });
  return stdout.trim();
}

export class BenchRepo {
  private constructor(
    readonly bare: string,
    readonly work: string,
  ) {}

  /** `DIR/NAME.git` (bare) and `DIR/NAME` (its working copy on branch main). */
  static async create(dir: string, name: string): Promise<BenchRepo> {
    const bare = join(dir, `${name}.git`);
    const work = join(dir, name);
    mkdirSync(bare, { recursive: true });
    await git(bare, 'init', '--quiet', '--bare', '--initial-branch=main');
    await git(dir, 'clone', '--quiet', bare, work);
    await git(work, 'checkout', '--quiet', '-B', 'main');
    return new BenchRepo(bare, work);
  }

  get url(): string {
    return `file://${this.bare}`;
  }

  write(path: string, content: string): this {
    const file = join(this.work, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    return this;
  }

  /** Commits the tree and pushes it; returns the commit's sha. */
  async commitAndPush(message: string): Promise<string> {
    await git(this.work, 'add', '--all');
    await git(this.work, '-c', 'user.name=stackd bench', '-c', 'user.email=bench@stackd.invalid', 'commit', '--quiet', '-m', message);
    await git(this.work, 'push', '--quiet', 'origin', 'HEAD');
    return git(this.work, 'rev-parse', 'HEAD');
  }
}
