import * as path from 'node:path';
import type { ServiceSpec } from '../../../src/stackfile/index.js';
import { load, web } from './helpers.js';

async function service(...lines: string[]): Promise<ServiceSpec> {
  return (await load(web(...lines))).stack.services.web;
}
const here = (p: string) => path.resolve(p);

describe('service fields', () => {
  it('build as a string or a map; the context resolves against the stack file', async () => {
    expect((await service('build: ./app')).build).toEqual({ context: here('app') });
    const s = await service('build:', '  context: app', '  dockerfile: Dockerfile.prod', '  args: [VERSION=1, DEBUG]', '  target: final', '  labels: {a: b}');
    expect(s.build).toEqual({
      context: here('app'),
      dockerfile: 'Dockerfile.prod',
      args: { VERSION: '1', DEBUG: '' },
      target: 'final',
      labels: { a: 'b' },
    });
  });

  it('command and entrypoint: a string is split like a shell would, a list is kept', async () => {
    const s = await service(`command: sh -c 'echo "hi there"' --flag=a\\ b`, 'entrypoint: ["/init", "--", "5"]');
    expect(s.command).toEqual(['sh', '-c', 'echo "hi there"', '--flag=a b']);
    expect(s.entrypoint).toEqual(['/init', '--', '5']);
  });

  it('environment as a list or a map; env_file is read relative to the stack file and merged under it', async () => {
    const list = await service('environment: [A=1, B=x=y, PASS]');
    expect(list.environment).toEqual({ A: '1', B: 'x=y', PASS: null });
    const r = await load(web('env_file: [env/common.env, env/web.env]', 'environment:', '  A: 1.10', '  B: from-file?', '  C:'), {
      files: { 'env/common.env': 'A=common\nD=common\n', 'env/web.env': 'D=web\nE=web\n' },
    });
    expect(r.stack.services.web.environment).toEqual({ A: '1.10', B: 'from-file?', C: null, D: 'web', E: 'web' });
  });

  it('ports: short forms, ranges, udp, host ip and the long form', async () => {
    const s = await service(
      'ports:',
      '  - "8080:80"',
      '  - "127.0.0.1:8081:81"',
      '  - "8000-8002:90-92"',
      '  - "53:53/udp"',
      '  - 3000',
      '  - "[::1]:8443:443"',
      '  - target: 22',
      '    published: 2222',
      '    mode: host',
    );
    expect(s.ports).toEqual([
      { target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' },
      { target: 81, published: 8081, protocol: 'tcp', mode: 'ingress', host_ip: '127.0.0.1' },
      { target: 90, published: 8000, protocol: 'tcp', mode: 'ingress' },
      { target: 91, published: 8001, protocol: 'tcp', mode: 'ingress' },
      { target: 92, published: 8002, protocol: 'tcp', mode: 'ingress' },
      { target: 53, published: 53, protocol: 'udp', mode: 'ingress' },
      { target: 3000, protocol: 'tcp', mode: 'ingress' },
      { target: 443, published: 8443, protocol: 'tcp', mode: 'ingress', host_ip: '::1' },
      { target: 22, published: 2222, protocol: 'tcp', mode: 'host' },
    ]);
  });

  it('volumes: bind (resolved), named, anonymous, read-only, tmpfs and the long form', async () => {
    const r = await load(
      web(
        'volumes:',
        '  - ./data:/data:ro',
        '  - /abs:/abs',
        '  - cache:/cache:nocopy',
        '  - /anonymous',
        '  - type: tmpfs',
        '    target: /tmp',
        '    tmpfs: {size: 64m, mode: 01777}',
        '  - type: bind',
        '    source: ../shared',
        '    target: /shared',
        '    read_only: true',
        '  - type: volume',
        '    source: cache',
        '    target: /more',
      ).concat(['volumes:', '  cache:']),
    );
    expect(r.stack.services.web.volumes).toEqual([
      { type: 'bind', source: here('data'), target: '/data', read_only: true, bind: { create_host_path: true } },
      { type: 'bind', source: '/abs', target: '/abs', read_only: false, bind: { create_host_path: true } },
      { type: 'volume', source: 'cache', target: '/cache', read_only: false, volume: { nocopy: true } },
      { type: 'volume', target: '/anonymous', read_only: false },
      { type: 'tmpfs', target: '/tmp', read_only: false, tmpfs: { size: 64 * 1024 ** 2, mode: 0o1777 } },
      { type: 'bind', source: here('../shared'), target: '/shared', read_only: true },
      { type: 'volume', source: 'cache', target: '/more', read_only: false },
    ]);
  });

  it('networks as a list or a map with aliases; labels as a list or a map', async () => {
    const lines = ['networks:', '  front:', '  back:'];
    const list = await load([...web('networks: [front, back]', 'labels: [a=1, b]'), ...lines]);
    expect(list.stack.services.web.networks).toEqual({ front: { aliases: [] }, back: { aliases: [] } });
    expect(list.stack.services.web.labels).toEqual({ a: '1', b: '' });
    const map = await load([...web('networks:', '  front:', '    aliases: [www]', '  back:', 'labels: {a: 1}'), ...lines]);
    expect(map.stack.services.web.networks).toEqual({ front: { aliases: ['www'] }, back: { aliases: [] } });
    expect(map.stack.services.web.labels).toEqual({ a: '1' });
  });

  it('healthcheck: a string is CMD-SHELL, a list starts with NONE|CMD|CMD-SHELL, defaults filled in', async () => {
    expect((await service('healthcheck:', '  test: curl -f localhost')).healthcheck).toEqual({
      test: ['CMD-SHELL', 'curl -f localhost'],
      interval: '30s',
      timeout: '30s',
      retries: 3,
      start_period: '0s',
    });
    const s = await service('healthcheck:', '  test: [CMD, curl, -f, localhost]', '  interval: 1m30s', '  timeout: 500ms', '  retries: 5', '  start_period: 1h');
    expect(s.healthcheck).toEqual({
      test: ['CMD', 'curl', '-f', 'localhost'],
      interval: '1m30s',
      timeout: '500ms',
      retries: 5,
      start_period: '1h',
    });
    expect((await service('healthcheck:', '  disable: true')).healthcheck?.test).toEqual(['NONE']);
  });

  it('no healthcheck given: none in the output', async () => {
    expect((await service()).healthcheck).toBeUndefined();
  });

  it('stop_grace_period, stop_signal, init, user, working_dir, hostname', async () => {
    const s = await service('stop_grace_period: 1m30s', 'stop_signal: SIGINT', 'init: true', 'user: "1000"', 'working_dir: /app', 'hostname: web-1');
    expect(s).toMatchObject({
      stop_grace_period: '1m30s',
      stop_signal: 'SIGINT',
      init: true,
      user: '1000',
      working_dir: '/app',
      hostname: 'web-1',
    });
    expect((await service()).stop_grace_period).toBe('10s');
  });

  it('depends_on: the short list and the long form with conditions', async () => {
    const base = ['  db:', '    image: db', '  cache:', '    image: redis'];
    const short = await load([...web('depends_on: [db, cache]'), ...base]);
    expect(short.stack.services.web.depends_on).toEqual({
      db: { condition: 'service_started', required: true },
      cache: { condition: 'service_started', required: true },
    });
    const long = await load([
      ...web('depends_on:', '  db:', '    condition: service_healthy', '  cache:', '    condition: service_completed_successfully', '    required: false'),
      ...base,
    ]);
    expect(long.stack.services.web.depends_on).toEqual({
      db: { condition: 'service_healthy', required: true },
      cache: { condition: 'service_completed_successfully', required: false },
    });
  });

  it('configs and secrets: short targets default to /<source> and /run/secrets/<source>, mode 0444', async () => {
    const r = await load(
      [
        ...web(
          'configs:',
          '  - app',
          '  - source: app',
          '    target: /etc/app.conf',
          '    uid: "100"',
          '    gid: "101"',
          '    mode: 0440',
          'secrets:',
          '  - db',
          '  - source: db',
          '    target: db_password',
          '    mode: "0400"',
        ),
        'configs:',
        '  app:',
        '    file: ./app.conf',
        'secrets:',
        '  db:',
        '    external: true',
      ],
      { files: { 'app.conf': 'x' } },
    );
    const s = r.stack.services.web;
    expect(s.configs).toEqual([
      { source: 'app', target: '/app', uid: '0', gid: '0', mode: 0o444 },
      { source: 'app', target: '/etc/app.conf', uid: '100', gid: '101', mode: 288 },
    ]);
    expect(s.secrets).toEqual([
      { source: 'db', target: '/run/secrets/db', uid: '0', gid: '0', mode: 0o444 },
      { source: 'db', target: '/run/secrets/db_password', uid: '0', gid: '0', mode: 0o400 },
    ]);
  });

  it('Compose-only keys are kept', async () => {
    const s = await service(
      'restart: unless-stopped',
      'profiles: [debug]',
      'container_name: the-web',
      'privileged: true',
      'cap_add: [NET_ADMIN]',
      'cap_drop: [ALL]',
      'devices: ["/dev/fuse:/dev/fuse"]',
      'extra_hosts: {db.local: 10.0.0.5}',
      'dns: 1.1.1.1',
      'sysctls: [net.core.somaxconn=1024]',
      'ulimits:',
      '  nproc: 65535',
      '  nofile: {soft: 1024, hard: 2048}',
      'shm_size: 64m',
      'tty: true',
      'stdin_open: false',
      'x-team: payments',
    );
    expect(s).toMatchObject({
      restart: 'unless-stopped',
      profiles: ['debug'],
      container_name: 'the-web',
      privileged: true,
      cap_add: ['NET_ADMIN'],
      cap_drop: ['ALL'],
      devices: ['/dev/fuse:/dev/fuse'],
      extra_hosts: ['db.local:10.0.0.5'],
      dns: ['1.1.1.1'],
      sysctls: { 'net.core.somaxconn': '1024' },
      ulimits: { nproc: { soft: 65535, hard: 65535 }, nofile: { soft: 1024, hard: 2048 } },
      shm_size: 64 * 1024 ** 2,
      tty: true,
      stdin_open: false,
      extensions: { 'x-team': 'payments' },
    });
  });

  it('network_mode: the service joins no network', async () => {
    const r = await load(web('network_mode: host'));
    expect(r.stack.services.web.networks).toEqual({});
    expect(r.stack.networks).toEqual({});
  });

  it('x-stackd: progress_deadline, 10m by default', async () => {
    expect((await service('x-stackd:', '  progress_deadline: 90s'))['x-stackd']).toEqual({ progress_deadline: '1m30s' });
    expect((await service())['x-stackd']).toEqual({ progress_deadline: '10m' });
  });

  it('x-stackd: revision_history_limit, a non-negative integer', async () => {
    expect((await service('x-stackd:', '  revision_history_limit: 3'))['x-stackd']).toEqual({ progress_deadline: '10m', revision_history_limit: 3 });
    await expect(service('x-stackd:', '  revision_history_limit: many')).rejects.toThrow(/x-stackd\.revision_history_limit: expected an integer, got "many"/);
  });
});
