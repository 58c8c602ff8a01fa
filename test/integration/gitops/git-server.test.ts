// The test git server: clone and push over smart HTTP with the git CLI, with and without auth.
import { join } from 'node:path';
import { tempDir } from '../../helpers/cli.js';
import { git, GitServer, WorkingCopy } from '../../helpers/git-server.js';

describe('GitServer (git http-backend over node:http)', () => {
  describe('without auth', () => {
    let server: GitServer;
    beforeAll(async () => {
      server = await GitServer.start();
      await server.createRepo('open');
    });
    afterAll(() => server.close());

    it('clones an empty repository, pushes, and another clone sees the commit', async () => {
      const work = await WorkingCopy.clone(server.url('open'));
      const sha = await work.write('stacks/web/stack.yml', 'services: {}\n').commitAndPush('first');
      const other = join(tempDir(), 'other');
      await git(tempDir(), 'clone', '--quiet', '--depth', '1', '--branch', 'main', server.url('open'), other);
      expect(await git(other, 'rev-parse', 'HEAD')).toBe(sha);
      expect(await git(other, 'show', 'HEAD:stacks/web/stack.yml')).toBe('services: {}');
    });

    it('takes a chunked push and a gzipped fetch request', async () => {
      const work = await WorkingCopy.clone(server.url('open'));
      // a pack over http.postBuffer (its minimum, 64 KiB) is sent chunked, without Content-Length
      const big = Array.from({ length: 50_000 }, (_, i) => ((i * 2654435761) % 4294967296).toString(36)).join('\n');
      await work.write('big.txt', big).commit('big');
      // 60 tags: the fetch's wants exceed 1 KiB, so the client gzips that request
      for (let i = 0; i < 60; i++) await git(work.dir, 'tag', `release-with-a-long-name-${i}`);
      await git(work.dir, '-c', 'http.postBuffer=65536', 'push', '--quiet', '--tags', 'origin', 'HEAD');
      const posts = () => server.requests.filter((r) => r.method === 'POST');
      expect(posts().some((r) => r.url.endsWith('/git-receive-pack') && r.headers['transfer-encoding'] === 'chunked')).toBe(true);

      const other = join(tempDir(), 'other');
      await git(tempDir(), '-c', 'protocol.version=0', 'clone', '--quiet', server.url('open'), other);
      expect(posts().some((r) => r.url.endsWith('/git-upload-pack') && r.headers['content-encoding'] === 'gzip')).toBe(true);
      expect(await git(other, 'tag', '--list')).toContain('release-with-a-long-name-59');
      expect(await git(other, 'show', 'HEAD:big.txt')).toBe(big);
    });

    it('answers 404 for a repository that does not exist', async () => {
      await expect(git(tempDir(), 'ls-remote', server.url('missing'))).rejects.toThrow(/not found|404/i);
    });
  });

  describe('with basic auth', () => {
    const auth = { username: 'deploy', password: 's3cret/+=' };
    let server: GitServer;
    beforeAll(async () => {
      server = await GitServer.start({ auth });
      await server.createRepo('private');
    });
    afterAll(() => server.close());

    it('clones and pushes with the right credentials', async () => {
      const work = await WorkingCopy.clone(server.url('private', auth));
      const sha = await work.write('a.txt', 'a\n').commitAndPush('a');
      expect(await git(tempDir(), 'ls-remote', server.url('private', auth), 'refs/heads/main')).toBe(`${sha}\trefs/heads/main`);
    });

    it('refuses a clone without credentials', async () => {
      await expect(git(tempDir(), 'clone', '--quiet', server.url('private'), 'x')).rejects.toThrow(/Authentication failed|could not read Username/);
    });

    it('refuses a clone with a wrong password', async () => {
      await expect(git(tempDir(), 'clone', '--quiet', server.url('private', { ...auth, password: 'wrong' }), 'x')).rejects.toThrow(/Authentication failed/);
    });
  });
});
