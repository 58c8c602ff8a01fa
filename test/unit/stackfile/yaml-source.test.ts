import { locFor, parseYaml, toPlain } from '../../../src/stackfile/yaml-source.js';
import { load, problems } from './helpers.js';

describe('YAML source', () => {
  it('keeps the line and column of keys and values', () => {
    const { root } = parseYaml('services:\n  web:\n    image: nginx\n', 's.yaml');
    expect(locFor(root, ['services', 'web', 'image'])).toEqual({ file: 's.yaml', line: 3, col: 12 });
    expect(locFor(root, ['services', 'web', 'image'], true)).toEqual({ file: 's.yaml', line: 3, col: 5 });
    // a path that does not exist points at the nearest parent's key
    expect(locFor(root, ['services', 'web', 'ports', 0])).toEqual({ file: 's.yaml', line: 2, col: 3 });
  });

  it('resolves anchors and << merge keys, explicit keys winning', () => {
    const text = [
      'x-defaults: &defaults',
      '  image: base',
      '  user: app',
      'x-more: &more',
      '  user: other',
      '  hostname: h',
      'services:',
      '  web:',
      '    <<: [*defaults, *more]',
      '    image: web',
    ].join('\n');
    const { root, problems } = parseYaml(text, 's.yaml');
    expect(problems).toEqual([]);
    expect(toPlain(root)).toMatchObject({ services: { web: { image: 'web', user: 'app', hostname: 'h' } } });
  });

  it('reads 0440 as YAML 1.1 octal (288), 0o440 too, and 440 as decimal', () => {
    const { root } = parseYaml('a: 0440\nb: 0o440\nc: 440\nd: "0440"\n', 's.yaml');
    expect(toPlain(root)).toEqual({ a: 288, b: 288, c: 440, d: '0440' });
  });

  it('reports invalid YAML with the file:line:col from the parser', async () => {
    expect(await problems('services:\n  web:\n    image: [nginx\n')).toEqual([expect.stringMatching(/^stack\.yaml:4:1 .*flow sequence/i)]);
    expect(await problems('services:\n  web: {}\n  web: {}\n')).toEqual(['stack.yaml:3:3 Map keys must be unique']);
  });

  it("rejects tags it does not know (such as Compose's !reset) instead of reading them as strings", async () => {
    expect(await problems('services:\n  web:\n    image: x\n    ports: !reset []\n')).toEqual(['stack.yaml:4:12 Unresolved tag: !reset']);
  });

  it('anchors work across a whole stack file', async () => {
    const { stack } = await load([
      'x-deploy: &deploy',
      '  replicas: 3',
      'services:',
      '  a:',
      '    image: x',
      '    deploy: *deploy',
      '  b:',
      '    image: y',
      '    deploy:',
      '      <<: *deploy',
      '      mode: replicated',
    ]);
    expect(stack.services.a.deploy.replicas).toBe(3);
    expect(stack.services.b.deploy.replicas).toBe(3);
    expect(stack.extensions).toEqual({ 'x-deploy': { replicas: 3 } });
  });
});
