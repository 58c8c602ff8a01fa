import { classifyFetchError, fetchErrorMessage, gitEnv, isSshUrl, scrubUrls } from '../../../src/gitops/git-auth.js';

describe('git credentials', () => {
  test('HTTPS credentials go in an environment-only http.extraHeader, never in a URL', () => {
    const env = gitEnv('https://git.example/org/repo.git', { username: Buffer.from('bot'), password: Buffer.from('s3cret') }, {});
    expect(env).toMatchObject({ GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader' });
    expect(env.GIT_CONFIG_VALUE_0).toBe(`Authorization: Basic ${Buffer.from('bot:s3cret').toString('base64')}`);
    expect(env.GIT_SSH_COMMAND).toBeUndefined();
  });

  test('SSH uses the key and known_hosts files with strict host checking', () => {
    const env = gitEnv('git@git.example:org/repo.git', { identity: Buffer.from('KEY') }, { identity: '/tmp/k/identity', knownHosts: '/tmp/k/known_hosts' });
    expect(env.GIT_SSH_COMMAND).toBe(
      'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -i /tmp/k/identity -o IdentitiesOnly=yes -o UserKnownHostsFile=/tmp/k/known_hosts',
    );
    expect(env.GIT_CONFIG_COUNT).toBeUndefined();
    expect(JSON.stringify(env)).not.toContain('KEY"');
  });

  test('SSH addresses are recognized in both forms', () => {
    expect(['ssh://git@h/r.git', 'git@h:r.git', 'h:org/r'].map(isSshUrl)).toEqual([true, true, true]);
    expect(['https://h/r.git', 'file:///srv/r.git'].map(isSshUrl)).toEqual([false, false]);
  });

  test('userinfo is scrubbed from every URL in a message', () => {
    expect(scrubUrls("fatal: unable to access 'https://bot:tok@h/r.git/': 403; also http://x@y/z")).toBe(
      "fatal: unable to access 'https://***@h/r.git/': 403; also http://***@y/z",
    );
  });

  test('authentication failures are told apart from other fetch failures', () => {
    expect(classifyFetchError("fatal: Authentication failed for 'https://h/r.git/'")).toBe('AuthenticationFailed');
    expect(classifyFetchError("fatal: could not read Username for 'http://h': terminal prompts disabled")).toBe('AuthenticationFailed');
    expect(classifyFetchError('git@h: Permission denied (publickey).')).toBe('AuthenticationFailed');
    expect(classifyFetchError("fatal: repository 'https://h/r.git/' not found")).toBe('FetchFailed');
  });

  test('git output is cut to its error lines, on one line', () => {
    expect(fetchErrorMessage('hint: something\nfatal: repository not found\n')).toBe('fatal: repository not found');
  });
});
