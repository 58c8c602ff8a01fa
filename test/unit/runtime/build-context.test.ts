import { contextFilter, dockerfileInContext } from '../../../src/runtime/build-context.js';

describe('contextFilter', () => {
  it('follows .dockerignore: comments, the last match wins, a folder covers its contents', () => {
    const decide = contextFilter('# comment\n\nsecret.txt\n*.log\nbuild\n');
    expect(decide('secret.txt', false)).toBe('skip');
    expect(decide('a.log', false)).toBe('skip');
    expect(decide('sub/a.log', false)).toBe('include'); // *.log matches the top level only, as in Docker
    expect(decide('build', true)).toBe('prune');
    expect(decide('build/out.o', false)).toBe('skip');
    expect(decide('src', true)).toBe('include');
  });

  it('walks an excluded folder when an exception may re-include something in it', () => {
    const decide = contextFilter('cache\n!cache/keep.txt\n');
    expect(decide('cache', true)).toBe('skip');
    expect(decide('cache/keep.txt', false)).toBe('include');
    expect(decide('cache/drop.txt', false)).toBe('skip');
  });

  it('sends everything without a .dockerignore', () => {
    expect(contextFilter('')('anything/at/all', false)).toBe('include');
  });
});

describe('dockerfileInContext', () => {
  it('is the path relative to the context, or undefined outside it', () => {
    expect(dockerfileInContext('/p/web', 'Dockerfile')).toBe('Dockerfile');
    expect(dockerfileInContext('/p/web', 'docker/Dockerfile.dev')).toBe('docker/Dockerfile.dev');
    expect(dockerfileInContext('/p/web', '/p/web/Dockerfile')).toBe('Dockerfile');
    expect(dockerfileInContext('/p/web', '../Dockerfile')).toBeUndefined();
    expect(dockerfileInContext('/p/web', '/elsewhere/Dockerfile')).toBeUndefined();
  });
});
