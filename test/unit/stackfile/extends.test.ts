// `extends:` as Compose resolves it: same file or `file:`, base merged under the service, chains,
// relative paths of a base in another folder, and cycles refused at the extends that closes them.
import * as path from 'node:path';
import { load, problems } from './helpers.js';

describe('extends', () => {
  it('merges a base of the same file under the service (maps by key, lists appended, scalars replaced)', async () => {
    const r = await load([
      'services:',
      '  common:',
      '    image: busybox',
      '    environment: {TZ: utc, PORT: "80"}',
      '    cap_add: [NET_ADMIN]',
      '  cli:',
      '    extends: common',
      '    environment: [PORT=8080]',
      '    cap_add: [SYS_TIME]',
    ]);
    expect(r.stack.services.cli).toMatchObject({ image: 'busybox', environment: { TZ: 'utc', PORT: '8080' }, cap_add: ['NET_ADMIN', 'SYS_TIME'] });
    expect(r.stack.services.cli).not.toHaveProperty('extends');
  });

  it('reads the base from file:, relative to the file naming it, and resolves a chain', async () => {
    const r = await load(['services:', '  web:', '    extends: {file: common/base.yaml, service: app}', '    ports: ["8080:80"]', 'volumes: {cache: {}}'], {
      files: {
        'common/base.yaml': [
          'services:',
          '  root: {image: busybox, user: root}',
          '  app:',
          '    extends: {service: root}',
          '    build: ./app',
          '    env_file: [app.env]',
          '    volumes: ["./data:/data", "cache:/cache"]',
        ].join('\n'),
        'common/app.env': 'FROM_FILE=yes\n',
      },
    });
    const web = r.stack.services.web;
    expect(web).toMatchObject({ image: 'busybox', user: 'root', environment: { FROM_FILE: 'yes' } });
    expect(web.build?.context).toBe(path.resolve('common/app'));
    expect(web.volumes.map((v) => v.source)).toEqual([path.resolve('common/data'), 'cache']);
    expect(web.ports[0]).toMatchObject({ published: 8080, target: 80 });
  });

  it('refuses a cycle at the extends that closes it, an unknown service, and a missing file', async () => {
    expect(
      await problems([
        'services:',
        '  a: {image: x, extends: b}',
        '  b: {image: x, extends: a}',
        '  c: {image: x, extends: nope}',
        '  d: {image: x, extends: {file: missing.yaml, service: a}}',
      ]),
    ).toEqual([
      'stack.yaml:2:17 services.a.extends: extends cycle: stack.yaml service a -> stack.yaml service b -> stack.yaml service a',
      'stack.yaml:3:17 services.b.extends: extends cycle: stack.yaml service b -> stack.yaml service a -> stack.yaml service b',
      'stack.yaml:4:26 services.c.extends.service: no service "nope" in stack.yaml',
      'stack.yaml:5:33 services.d.extends.file: cannot read missing.yaml',
    ]);
  });

  it('a problem in the base file names that file', async () => {
    const lines = await problems(['services:', '  web:', '    extends: {file: base.yaml, service: app}'], {
      files: { 'base.yaml': 'services:\n  app:\n    image: x\n    imgae: y\n' },
    });
    expect(lines).toEqual(['base.yaml:4:5 services.web.imgae: unknown key, did you mean "image"?']);
  });
});
