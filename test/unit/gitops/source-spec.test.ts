import { gitSourceSpec, parseSecretPair } from '../../../src/gitops/source-spec.js';

const flags = { branch: 'main', path: '.', interval: '1m' };

describe('gitops add flags', () => {
  test('a valid source, its path normalized', () => {
    expect(gitSourceSpec({ ...flags, repo: 'https://git.example/org/stacks.git', path: './stacks/', prune: true, secretRef: 'creds' })).toEqual({
      spec: { repo: 'https://git.example/org/stacks.git', branch: 'main', path: 'stacks', interval: '1m', prune: true, suspend: false, secretRef: 'creds' },
    });
    for (const repo of ['git@git.example:org/stacks.git', 'ssh://git@git.example/org/stacks.git', 'file:///srv/stacks.git']) {
      expect(gitSourceSpec({ ...flags, repo })).toHaveProperty('spec');
    }
  });

  test('each bad flag is one problem', () => {
    expect(gitSourceSpec({ repo: 'https://u:p@h/r.git', branch: 'a..b', path: '../up', interval: 'soon', secretRef: 'Bad Ref' })).toEqual({
      errors: [
        '--repo must not hold a password: store it with `stackctl gitops create-secret NAME --from-file password=FILE` and pass --secret-ref NAME',
        '--branch "a..b" is not a valid branch name',
        '--path "../up" must stay inside the repository',
        '--interval: expected a duration like "1m30s" or "500ms", got "soon"',
        "--secret-ref \"Bad Ref\" is not valid: use lower-case letters, digits, '-', '_' and '.' (at most 63)",
      ],
    });
    expect(gitSourceSpec({ ...flags })).toEqual({ errors: ['--repo is required (the clone URL of the repository)'] });
    expect(gitSourceSpec({ ...flags, repo: 'ext::sh -c evil' })).toHaveProperty('errors');
    // git would take these for options (--upload-pack runs a command): refused before git sees them
    for (const repo of ['--upload-pack:touch', '-oProxyCommand:x', '--upload-pack=touch /tmp/x', '-'])
      expect(gitSourceSpec({ ...flags, repo })).toEqual({ errors: [`--repo "${repo}" must not start with '-'`] });
    expect(gitSourceSpec({ ...flags, repo: 'git@host:org/-repo.git' })).toHaveProperty('spec');
    expect(gitSourceSpec({ ...flags, repo: 'ftp://h/r.git' })).toEqual({ errors: ['--repo: scheme ftp is not supported (use https, http, ssh or file)'] });
  });

  test('secret pairs are key=value with a key Flux knows', () => {
    expect(parseSecretPair('--from-file', 'password=/run/pw', ['password'])).toEqual({ key: 'password', value: '/run/pw' });
    expect(() => parseSecretPair('--from-literal', 'pasword=x', ['password'])).toThrow('unknown key "pasword" (expected one of password)');
    expect(() => parseSecretPair('--from-literal', 'novalue', ['password'])).toThrow('expected key=value');
  });
});
