import * as path from 'node:path';
import { loadStackWith } from '../../../src/stackfile/index.js';
import { load, memFiles } from './helpers.js';

describe('top-level keys', () => {
  it('accepts version, name and x-* extensions; services join the default bridge network', async () => {
    const r = await loadStackWith(
      { files: ['stack.yaml'], env: {} },
      memFiles({ 'stack.yaml': 'version: "3.9"\nname: Shop\nx-owner: team-a\nservices:\n  web:\n    image: x\n' }),
    );
    expect(r.stack.name).toBe('shop');
    expect(r.stack.extensions).toEqual({ 'x-owner': 'team-a' });
    expect(r.stack.services.web.networks).toEqual({ default: { aliases: [] } });
    expect(r.stack.networks).toEqual({
      default: { name: 'shop_default', driver: 'bridge', driver_opts: {}, external: false, labels: {} },
    });
  });

  it('the stack name: the option, else name:, else the folder of the first file', async () => {
    const files = memFiles({ 'proj/My App/stack.yaml': 'services: {web: {image: x}}' });
    const byFolder = await loadStackWith({ files: ['proj/My App/stack.yaml'], env: {} }, files);
    expect(byFolder.stack.name).toBe('myapp');
    const byOption = await loadStackWith({ files: ['proj/My App/stack.yaml'], env: {}, name: 'given' }, files);
    expect(byOption.stack.name).toBe('given');
  });

  it('networks and volumes: driver, driver_opts, external, labels, name', async () => {
    const { stack } = await load([
      'services:',
      '  web:',
      '    image: x',
      '    networks: [front, outside]',
      '    volumes: [data:/data, shared:/shared]',
      'networks:',
      '  front:',
      '    driver: overlay',
      '    driver_opts: {encrypted: ""}',
      '    internal: true',
      '    attachable: true',
      '    labels: [team=a]',
      '  outside:',
      '    external: true',
      '    name: corp-net',
      '  unused:',
      '    name: explicit',
      'volumes:',
      '  data:',
      '    driver: local',
      '    driver_opts: {type: nfs, o: "addr=10.0.0.1"}',
      '    labels: {backup: daily}',
      '  shared:',
      '    external: {name: legacy}',
    ]);
    expect(stack.networks).toEqual({
      front: {
        name: 'test_front',
        driver: 'overlay',
        driver_opts: { encrypted: '' },
        external: false,
        internal: true,
        attachable: true,
        labels: { team: 'a' },
      },
      outside: { name: 'corp-net', driver_opts: {}, external: true, labels: {} },
      unused: { name: 'explicit', driver_opts: {}, external: false, labels: {} },
    });
    expect(stack.volumes).toEqual({
      data: { name: 'test_data', driver: 'local', driver_opts: { type: 'nfs', o: 'addr=10.0.0.1' }, external: false, labels: { backup: 'daily' } },
      shared: { name: 'legacy', driver_opts: {}, external: true, labels: {} },
    });
  });

  it('configs and secrets from file: (content loaded, absolute path kept) or external:', async () => {
    const r = await load(
      [
        'services: {web: {image: x}}',
        'configs:',
        '  app:',
        '    file: ./conf/app.yaml',
        '    labels: {v: 1}',
        '  shared:',
        '    external: true',
        '    name: corp_shared',
        'secrets:',
        '  token:',
        '    file: token.txt',
        '    name: my-token',
        '  vault:',
        '    external: true',
      ],
      { files: { 'conf/app.yaml': 'port: 80\n', 'token.txt': 's3cret' } },
    );
    expect(r.stack.configs).toEqual({
      app: { name: 'test_app', file: path.resolve('conf/app.yaml'), external: false, labels: { v: '1' } },
      shared: { name: 'corp_shared', external: true, labels: {} },
    });
    expect(r.stack.secrets).toEqual({
      token: { name: 'my-token', file: path.resolve('token.txt'), external: false, labels: {} },
      vault: { name: 'vault', external: true, labels: {} },
    });
    expect(r.configData).toEqual({ app: Buffer.from('port: 80\n') });
    expect(r.secretData).toEqual({ token: Buffer.from('s3cret') });
  });
});
