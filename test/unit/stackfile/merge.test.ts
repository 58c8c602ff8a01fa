import { load, problems } from './helpers.js';

const base = [
  'services:',
  '  web:',
  '    image: web:1',
  '    command: [serve, --port, "80"]',
  '    environment: {A: base, B: base}',
  '    labels: [x=base]',
  '    ports: ["8080:80", "9090:90"]',
  '    volumes: ["./a:/data", "./logs:/logs"]',
  '    dns: [1.1.1.1]',
  '    cap_add: [NET_ADMIN]',
  '    healthcheck:',
  '      test: [CMD, check, base]',
  '      retries: 5',
  '    secrets: [token]',
  '    deploy:',
  '      replicas: 2',
  '      placement: {constraints: [node.role == worker]}',
  'secrets:',
  '  token: {file: token.txt}',
];

const override = [
  'services:',
  '  web:',
  '    image: web:2',
  '    command: serve --debug',
  '    environment: [B=override, C=override]',
  '    labels: {y: override}',
  '    ports: ["8080:80", "127.0.0.1:9191:90", {target: 90, published: 9090, mode: host}]',
  '    volumes: ["./b:/data"]',
  '    dns: [1.1.1.1, 8.8.8.8]',
  '    cap_add: [SYS_TIME]',
  '    healthcheck:',
  '      test: [CMD, check, override]',
  '    secrets: [{source: token, target: token, mode: 0400}]',
  '    deploy:',
  '      placement: {constraints: [node.labels.zone == a]}',
];

function loadBoth() {
  return load(base, {
    load: ['stack.yaml', 'override.yaml'],
    files: { 'override.yaml': `${override.join('\n')}\n`, 'token.txt': 't' },
  });
}

describe('several files merged in order', () => {
  it('scalars replace; maps (environment, labels) merge; command and healthcheck.test replace', async () => {
    const s = (await loadBoth()).stack.services.web;
    expect(s.image).toBe('web:2');
    expect(s.environment).toEqual({ A: 'base', B: 'override', C: 'override' });
    expect(s.labels).toEqual({ x: 'base', y: 'override' });
    expect(s.command).toEqual(['serve', '--debug']);
    expect(s.healthcheck).toMatchObject({ test: ['CMD', 'check', 'override'], retries: 5 });
    expect(s.deploy.replicas).toBe(2);
  });

  it('ports merge by {host_ip, published, target, protocol}; volumes, secrets and configs by target', async () => {
    const s = (await loadBoth()).stack.services.web;
    expect(s.ports).toEqual([
      { target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' },
      { target: 90, published: 9090, protocol: 'tcp', mode: 'host' },
      { target: 90, published: 9191, protocol: 'tcp', mode: 'ingress', host_ip: '127.0.0.1' },
    ]);
    expect(s.volumes.map((v) => [v.source?.split('/').pop(), v.target])).toEqual([
      ['b', '/data'],
      ['logs', '/logs'],
    ]);
    expect(s.secrets).toEqual([{ source: 'token', target: '/run/secrets/token', uid: '0', gid: '0', mode: 0o400 }]);
  });

  it('other lists are appended without duplicates', async () => {
    const s = (await loadBoth()).stack.services.web;
    expect(s.dns).toEqual(['1.1.1.1', '8.8.8.8']);
    expect(s.cap_add).toEqual(['NET_ADMIN', 'SYS_TIME']);
    expect(s.deploy.placement.constraints).toEqual(['node.role == worker', 'node.labels.zone == a']);
  });

  it('an override can add a service', async () => {
    const r = await load(['services:', '  web:', '    image: x'], {
      load: ['stack.yaml', 'more.yaml'],
      files: { 'more.yaml': 'services:\n  worker:\n    image: y\n' },
    });
    expect(Object.keys(r.stack.services)).toEqual(['web', 'worker']);
  });

  it('errors name the file where the offending value was written', async () => {
    const lines = await problems(['services:', '  web:', '    image: x', '    deploy:', '      replicas: 1'], {
      load: ['stack.yaml', 'prod.yaml'],
      files: { 'prod.yaml': 'services:\n  web:\n    deploy:\n      replicas: three\n' },
    });
    expect(lines).toEqual(['prod.yaml:4:17 services.web.deploy.replicas: expected an integer, got "three"']);
  });
});
