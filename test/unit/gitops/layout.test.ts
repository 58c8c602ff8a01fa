import { discoverStacks } from '../../../src/gitops/layout.js';

describe('discoverStacks', () => {
  test('a folder with a stack file is a stack named after the folder; a YAML file under the path is one named after the file', () => {
    const found = discoverStacks({
      files: ['api.yml', 'worker.yaml', 'README.md', '.sops.yaml'],
      dirs: { web: ['stack.yml', '.env', 'nginx.conf'], db: ['docker-compose.yml'], docs: ['index.md'], '.github': ['stack.yml'] },
    });
    expect(found).toEqual({
      stacks: [
        { name: 'api', file: 'api.yml' },
        { name: 'db', file: 'db/docker-compose.yml' },
        { name: 'web', file: 'web/stack.yml' },
        { name: 'worker', file: 'worker.yaml' },
      ],
      problems: [],
    });
  });

  test('two stack files in one folder, a name used twice, or a name that cannot be a stack are problems naming the file', () => {
    const found = discoverStacks({ files: ['web.yml', 'Bad Name.yml'], dirs: { web: ['compose.yaml'], pair: ['stack.yml', 'compose.yaml'] } });
    expect(found.stacks).toEqual([{ name: 'web', file: 'web/compose.yaml' }]);
    expect(found.problems).toEqual([
      'pair/: more than one stack file (stack.yml, compose.yaml); keep one',
      'Bad Name.yml: "Bad Name" cannot be a stack name: use lower-case letters, digits, "-" and "_" (at most 63)',
      'web.yml: stack "web" is defined twice (also by web/compose.yaml)',
    ]);
  });
});
