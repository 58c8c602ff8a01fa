// The seed's accounts example (read-only) through the real loader: both files merged, .env interpolated.
import * as path from 'node:path';
import { loadStack, type LoadedStack } from '../../../src/stackfile/index.js';
import { EXAMPLE } from '../../helpers/cli.js';

const dir = EXAMPLE;

describe('the accounts example', () => {
  let loaded: LoadedStack;
  beforeAll(async () => {
    loaded = await loadStack({ files: [`${dir}/stack.yaml`, `${dir}/docker-compose.yml`], env: {} });
  });

  it('takes the images from .env', () => {
    const { services } = loaded.stack;
    expect(loaded.stack.name).toBe('accounts');
    expect(services.web.image).toBe('stackd/accounts-web:dev');
    expect(services.api.image).toBe('stackd/accounts-api:dev');
    expect(services.mysql.environment).toEqual({ MYSQL_ROOT_PASSWORD: '123', MYSQL_DATABASE: 'accounts' });
    expect(services['db-migration'].environment.GOOSE_DBSTRING).toBe('root:123@tcp(mysql)/accounts');
    expect(loaded.warnings).toEqual([]);
  });

  it('merges ports by their published port: web keeps both, api has one', () => {
    const { services } = loaded.stack;
    expect(services.web.ports).toEqual([
      { target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' },
      { target: 80, published: 8088, protocol: 'tcp', mode: 'ingress' },
    ]);
    expect(services.api.ports).toEqual([{ target: 80, published: 8081, protocol: 'tcp', mode: 'ingress' }]);
  });

  it('configs and secrets: targets, mode 0440 = 288, contents loaded', () => {
    const { api } = loaded.stack.services;
    expect(api.configs).toEqual([{ source: 'plain_config', target: '/config/plain.yaml', uid: '0', gid: '0', mode: 288 }]);
    expect(api.secrets).toEqual([{ source: 'secret_config', target: '/config/secret.yaml', uid: '0', gid: '0', mode: 288 }]);
    expect(loaded.stack.configs.plain_config).toEqual({
      name: 'accounts_plain_config',
      file: `${dir}/config/plain.yaml`,
      external: false,
      labels: {},
    });
    expect(loaded.configData.plain_config.toString()).toContain('listen');
    expect(Object.keys(loaded.secretData)).toEqual(['secret_config']);
  });

  it("fills in Swarm's defaults and folds restart: always", () => {
    const { api, web } = loaded.stack.services;
    expect(web.deploy).toMatchObject({
      mode: 'replicated',
      replicas: 1,
      endpoint_mode: 'vip',
      restart_policy: { condition: 'any', delay: '5s', max_attempts: 0, window: '0s' },
      update_config: { parallelism: 1, delay: '0s', monitor: '5s', failure_action: 'pause', order: 'stop-first' },
    });
    expect(web.stop_grace_period).toBe('10s');
    expect(api.restart).toBe('always');
    expect(api.depends_on).toEqual({ mysql: { condition: 'service_started', required: true } });
  });

  it('resolves binds against the folder, splits command strings, joins the default network', () => {
    const { api, mysql } = loaded.stack.services;
    expect(api.volumes[0]).toMatchObject({ type: 'bind', source: path.join(dir, 'config'), target: '/config' });
    expect(mysql.volumes[0]).toEqual({ type: 'volume', source: 'mysql', target: '/var/lib/mysql', read_only: false });
    expect(mysql.command).toEqual(['--character-set-server=utf8mb4', '--default-time-zone=+08:00']);
    expect(loaded.stack.volumes.mysql.name).toBe('accounts_mysql');
    expect(loaded.stack.networks.default).toMatchObject({ name: 'accounts_default', driver: 'bridge' });
  });

  it('the process environment overrides .env', async () => {
    const r = await loadStack({ files: [`${dir}/stack.yaml`], env: { ACCOUNT_IMAGE: 'mine:latest' } });
    expect(r.stack.services.api.image).toBe('mine:latest');
    expect(r.stack.services.web.image).toBe('stackd/accounts-web:dev');
  });
});
