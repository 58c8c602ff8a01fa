// The GitOps fetch over file:// and what it refuses: a missing branch, the ext:: transport; a new
// commit replaces the checkout (files deleted in git are gone from the cache too); a repository
// that git could read as an option never reaches git.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchArgs, fetchCommit, FetchError } from '../../../src/gitops/git-fetch.js';
import { tempDir } from '../../helpers/cli.js';
import { initBare, WorkingCopy } from '../../helpers/git-server.js';

const dir = tempDir('stackd-fetch-');
const bare = join(dir, 'repo.git');
let work: WorkingCopy;

beforeAll(async () => {
  mkdirSync(bare);
  await initBare(bare);
  work = await WorkingCopy.clone(`file://${bare}`);
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as FetchError,
  );

describe('fetchCommit', () => {
  test('each commit is checked out in place of the one before', async () => {
    const first = await work.write('a/stack.yml', 'one\n').write('b.yml', 'b\n').commitAndPush('first');
    const cache = join(dir, 'cache');
    expect((await fetchCommit({ dir: cache, repo: `file://${bare}`, branch: 'main' })).sha).toBe(first);
    const second = await work.write('a/stack.yml', 'two\n').remove('b.yml').commitAndPush('second');
    expect((await fetchCommit({ dir: cache, repo: `file://${bare}`, branch: 'main' })).sha).toBe(second);
    expect(readFileSync(join(cache, 'a/stack.yml'), 'utf8')).toBe('two\n');
    expect(existsSync(join(cache, 'b.yml'))).toBe(false);
  });

  test('a branch that does not exist is a clear fetch failure', async () => {
    const err = await failure(fetchCommit({ dir: join(dir, 'cache-nobranch'), repo: `file://${bare}`, branch: 'nope' }));
    expect(err).toBeInstanceOf(FetchError);
    expect(err).toMatchObject({ reason: 'FetchFailed', message: 'branch nope not found in the repository' });
  });

  test('the ext:: transport is refused (protocol.ext.allow=never)', async () => {
    const marker = join(dir, 'pwned');
    const err = await failure(fetchCommit({ dir: join(dir, 'cache-ext'), repo: `ext::sh -c touch% ${marker}`, branch: 'main' }));
    expect(err).toMatchObject({ reason: 'FetchFailed' });
    expect(err?.message).toMatch(/transport 'ext' not allowed/);
    expect(existsSync(marker)).toBe(false);
  });

  test('a repository starting with - is refused and runs nothing', async () => {
    const marker = join(dir, 'pwned-upload-pack');
    for (const repo of [`--upload-pack=touch ${marker}`, `--upload-pack:touch ${marker}`, `-oProxyCommand=touch ${marker}`]) {
      const err = await failure(fetchCommit({ dir: join(dir, 'cache-dash'), repo, branch: 'main' }));
      expect(err).toBeInstanceOf(FetchError);
      expect(err?.message).toBe(`repository "${repo}" must not start with '-'`);
    }
    expect(existsSync(marker)).toBe(false);
  });

  test('git is told where its options end, before the repository', () => {
    const args = fetchArgs('-x', 'main');
    expect(args.indexOf('--')).toBeGreaterThan(0);
    expect(args.slice(args.indexOf('--') + 1)).toEqual(['-x', '+refs/heads/main:refs/remotes/origin/main']);
  });
});
