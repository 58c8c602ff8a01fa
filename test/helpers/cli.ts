// Run the built CLI (dist/, made by `npm run build` in hack/test.sh) as a user would.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
/** The accounts example: the project's own copy (manifests/accounts), so a clone tests itself. */
export const EXAMPLE = join(ROOT, 'manifests/accounts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(bin: 'stackctl' | 'stackd', args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolveRun) => {
    execFile(process.execPath, [join(ROOT, 'bin', `${bin}.js`), ...args], { cwd, env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolveRun({ code, stdout, stderr });
    });
  });
}

export function stackctl(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT): Promise<CliResult> {
  return run('stackctl', args, env, cwd);
}

export function tempDir(prefix = 'stackd-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The store URLs to run a test against: a fresh SQLite file, and the test etcd when there is one. */
export function storeUrls(): [string, () => string][] {
  const urls: [string, () => string][] = [['embedded', () => `sqlite://${join(tempDir(), 'state.db')}`]];
  if (process.env.STACKD_TEST_ETCD) urls.push(['etcd', () => `etcd://${process.env.STACKD_TEST_ETCD}`]);
  return urls;
}
