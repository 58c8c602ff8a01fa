// The GitOps fetch over SSH with a deploy key, against a real sshd (Debian's openssh-server, run
// on a free port with its own host key): strict host checking refuses an unknown host key, the
// right known_hosts fetches, and the key never stays on disk.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fetchCommit, FetchError } from '../../../src/gitops/git-fetch.js';
import { tempDir } from '../../helpers/cli.js';
import { initBare, WorkingCopy } from '../../helpers/git-server.js';
import { eventually, freePort } from '../../helpers/stackd.js';

const dir = tempDir('stackd-sshd-');
const bare = join(dir, 'repo.git');
let sshd: ChildProcess;
let port: number;
let sha: string;

async function keygen(file: string): Promise<void> {
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'stackd-test', '-f', file]);
}
const pub = (file: string) => readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
const url = () => `ssh://${userInfo().username}@127.0.0.1:${port}${bare}`;
const knownHosts = (keyFile: string) => Buffer.from(`[127.0.0.1]:${port} ${pub(keyFile)}\n`);

beforeAll(async () => {
  mkdirSync(bare);
  await initBare(bare);
  const work = await WorkingCopy.clone(`file://${bare}`);
  sha = await work.write('web/stack.yml', 'services:\n  app:\n    image: stackd/busybox:latest\n').commitAndPush('first');
  for (const k of ['host', 'other-host', 'deploy']) await keygen(join(dir, k));
  writeFileSync(join(dir, 'authorized_keys'), `${pub(join(dir, 'deploy'))}\n`);
  port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    `${[
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${join(dir, 'sshd.pid')}`,
    ].join('\n')}\n`,
  );
  mkdirSync('/run/sshd', { recursive: true });
  sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
  await eventually(async () => {
    await promisify(execFile)('ssh-keyscan', ['-p', String(port), '127.0.0.1']);
    return true;
  }, 10_000);
});

afterAll(() => {
  sshd?.kill();
});

const deployKey = () => readFileSync(join(dir, 'deploy'));
const sshTemps = () => readdirSync(tmpdir()).filter((f) => f.startsWith('stackd-ssh-'));

describe('fetch over SSH with a deploy key', () => {
  test('an unknown host key is refused (StrictHostKeyChecking) as an authentication failure', async () => {
    const err = await fetchCommit({
      dir: join(dir, 'cache-bad'),
      repo: url(),
      branch: 'main',
      creds: { identity: deployKey(), known_hosts: knownHosts(join(dir, 'other-host')) },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FetchError);
    expect((err as FetchError).reason).toBe('AuthenticationFailed');
    expect((err as FetchError).message).toContain('Host key verification failed');
  });

  test('no deploy key: the server refuses, an authentication failure', async () => {
    const err = await fetchCommit({ dir: join(dir, 'cache-nokey'), repo: url(), branch: 'main', creds: { known_hosts: knownHosts(join(dir, 'host')) } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as FetchError).reason).toBe('AuthenticationFailed');
    expect((err as FetchError).message).toContain('Permission denied');
  });

  test('the deploy key and the right known_hosts fetch the branch shallowly; no key file is left behind', async () => {
    const before = sshTemps();
    const cache = join(dir, 'cache-good');
    const got = await fetchCommit({ dir: cache, repo: url(), branch: 'main', creds: { identity: deployKey(), known_hosts: knownHosts(join(dir, 'host')) } });
    expect(got.sha).toBe(sha);
    expect(readFileSync(join(cache, 'web/stack.yml'), 'utf8')).toContain('stackd/busybox:latest');
    expect(readFileSync(join(cache, '.git/shallow'), 'utf8').trim()).toBe(sha);
    expect(sshTemps()).toEqual(before);
  });
});
