// loadStack reading real files: .env, env_file, config and secret files, binds, an override file.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackFileError, loadStack } from '../../../src/stackfile/index.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/stackfile');
const full = path.join(fixtures, 'full');

describe('loadStack on real files', () => {
  it('reads .env, env_file, configs, secrets and an override file', async () => {
    const r = await loadStack({ files: [`${full}/stack.yaml`, `${full}/override.yaml`], env: { WEB_PORT: '9000' } });
    const web = r.stack.services.web;
    expect(r.stack.name).toBe('full');
    expect(web.image).toBe('example/web:1.2');
    expect(web.ports).toEqual([{ target: 80, published: 9000, protocol: 'tcp', mode: 'ingress' }]);
    expect(web.environment).toEqual({ FROM_ENV_FILE: 'yes', GREETING: 'hello $USER', LEVEL: 'debug' });
    expect(web.volumes).toEqual([{ type: 'bind', source: `${full}/conf`, target: '/etc/web', read_only: true, bind: { create_host_path: true } }]);
    expect(web.deploy.replicas).toBe(2);
    expect(web.deploy.restart_policy).toMatchObject({ condition: 'on-failure', max_attempts: 3 });
    expect(web.configs[0]).toEqual({ source: 'app', target: '/etc/app.conf', uid: '0', gid: '0', mode: 0o440 });
    expect(r.stack.configs.app.file).toBe(`${full}/conf/app.conf`);
    expect(r.configData.app.toString()).toBe('listen: 80\n');
    expect(r.secretData.token.toString()).toBe('tok3n');
  });

  it('uses the default when the variable is in neither the environment nor .env', async () => {
    const r = await loadStack({ files: [`${full}/stack.yaml`], env: {} });
    expect(r.stack.services.web.ports[0].published).toBe(8080);
  });

  it('reports every problem of an invalid file with file:line:col', async () => {
    const file = path.join(fixtures, 'invalid.yaml');
    const err = await loadStack({ files: [file], env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StackFileError);
    expect((err as StackFileError).message.split('\n')).toEqual([
      `${file}:5:17 services.api.deploy.replicas: expected an integer, got "three"`,
      `${file}:6:3 services.web: a service needs an image or a build`,
      `${file}:7:5 services.web.imgae: unknown key, did you mean "image"?`,
      `${file}:8:5 services.web.volumes_from: not supported by stackd: share a named volume between the services instead`,
    ]);
  });
});
