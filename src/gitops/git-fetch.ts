// Fetch one branch of a GitSource into its cache folder: shallow, one branch, with the ext::
// transport forbidden, credentials only in the environment and 0600 temp files, then check the
// commit out (the files stay as in git: SOPS-encrypted ones encrypted).
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { classifyFetchError, fetchErrorMessage, gitEnv, GIT_ENV_NAMES, isSshUrl, type AuthFiles, type FetchFailure, type GitCredentials } from './git-auth.js';

export class FetchError extends Error {
  override name = 'FetchError';
  constructor(
    readonly reason: FetchFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface FetchRequest {
  /** the source's cache folder (one per GitSource) */
  dir: string;
  repo: string;
  branch: string;
  creds?: GitCredentials;
  timeoutMs?: number;
}

export interface FetchedCommit {
  /** the working tree at `sha` */
  dir: string;
  sha: string;
}

function git(dir: string, env: Record<string, string>, timeoutMs: number): SimpleGit {
  return simpleGit({
    baseDir: dir,
    allowEnvironment: GIT_ENV_NAMES,
    unsafe: { allowUnsafeProtocolOverride: true, allowUnsafeSshCommand: true, allowUnsafeConfigEnvCount: true, allowUnsafeConfigPaths: true },
    timeout: { block: timeoutMs },
    config: ['protocol.ext.allow=never'],
  }).env({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...env });
}

/** SSH key and known_hosts in a private temp folder, removed by the returned cleanup. */
async function writeAuthFiles(repo: string, creds: GitCredentials | undefined): Promise<{ files: AuthFiles; cleanup: () => Promise<void> }> {
  if (!isSshUrl(repo) || !creds) return { files: {}, cleanup: async () => {} };
  const tmp = await mkdtemp(join(tmpdir(), 'stackd-ssh-'));
  await chmod(tmp, 0o700);
  const files: AuthFiles = {};
  if (creds.identity) {
    files.identity = join(tmp, 'identity');
    const key = creds.identity.toString('utf8');
    await writeFile(files.identity, key.endsWith('\n') ? key : `${key}\n`, { mode: 0o600 });
  }
  if (creds.known_hosts) {
    files.knownHosts = join(tmp, 'known_hosts');
    await writeFile(files.knownHosts, creds.known_hosts, { mode: 0o600 });
  }
  return { files, cleanup: () => rm(tmp, { recursive: true, force: true }) };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** `git fetch` arguments: `--` ends the options, so git never reads the repository as one. Pure. */
export function fetchArgs(repo: string, branch: string): string[] {
  return ['fetch', '--depth=1', '--no-tags', '--force', '--quiet', '--', repo, `+refs/heads/${branch}:refs/remotes/origin/${branch}`];
}

/** Fetch the branch tip and check it out; throws FetchError with a scrubbed one-line message. */
export async function fetchCommit(req: FetchRequest): Promise<FetchedCommit> {
  // a spec written straight to the store skipped the CLI's check: repeat it before git sees the URL
  if (req.repo.startsWith('-')) throw new FetchError('FetchFailed', `repository "${req.repo}" must not start with '-'`);
  const { files, cleanup } = await writeAuthFiles(req.repo, req.creds);
  const timeoutMs = req.timeoutMs ?? 120_000;
  try {
    await mkdir(req.dir, { recursive: true });
    const plain = git(req.dir, gitEnv('', undefined, {}), timeoutMs);
    if (!(await exists(join(req.dir, '.git')))) await plain.init();
    const ref = `refs/remotes/origin/${req.branch}`;
    try {
      await git(req.dir, gitEnv(req.repo, req.creds, files), timeoutMs).raw(fetchArgs(req.repo, req.branch));
    } catch (err) {
      const raw = (err as Error).message;
      const reason = classifyFetchError(raw);
      const missing = /couldn't find remote ref/i.test(raw);
      throw new FetchError(reason, missing ? `branch ${req.branch} not found in the repository` : fetchErrorMessage(raw));
    }
    const sha = (await plain.revparse([ref])).trim();
    const head = (await plain.revparse(['HEAD']).catch(() => '')).trim();
    if (head !== sha) {
      await plain.raw(['checkout', '--force', '--quiet', '--detach', sha]);
      await plain.raw(['clean', '-ffdxq']);
      // the shallow history of older fetches is of no more use
      await plain.raw(['reflog', 'expire', '--expire=now', '--all']).catch(() => undefined);
    }
    return { dir: req.dir, sha };
  } catch (err) {
    if (err instanceof FetchError) throw err;
    throw new FetchError('FetchFailed', fetchErrorMessage((err as Error).message));
  } finally {
    await cleanup();
  }
}
