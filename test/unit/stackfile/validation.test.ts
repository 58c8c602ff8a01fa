import { load, problems, web } from './helpers.js';

describe('validation: every problem names file:line:col and the path', () => {
  it('unknown keys, with a "did you mean" suggestion', async () => {
    expect(await problems(['services:', '  web:', '    imgae: nginx', '    image: nginx', '    deploy:', '      replica: 2'])).toEqual([
      'stack.yaml:3:5 services.web.imgae: unknown key, did you mean "image"?',
      'stack.yaml:6:7 services.web.deploy.replica: unknown key, did you mean "replicas"?',
    ]);
    expect(await problems(['services:', '  web:', '    image: x', '    zzzzzz: 1', 'servics: {}'])).toEqual([
      'stack.yaml:4:5 services.web.zzzzzz: unknown key',
      'stack.yaml:5:1 servics: unknown key, did you mean "services"?',
    ]);
  });

  it('keys whose absence would change what runs are rejected with the reason', async () => {
    expect(await problems(web('volumes_from: [db]', 'cpu_shares: 512', 'deploy:', '  resources:', '    reservations:', '      devices: []'))).toEqual([
      'stack.yaml:4:5 services.web.volumes_from: not supported by stackd: share a named volume between the services instead',
      'stack.yaml:5:5 services.web.cpu_shares: not supported by stackd: use deploy.resources',
      'stack.yaml:9:11 services.web.deploy.resources.reservations.devices: not supported by stackd: stackd does not schedule devices (GPUs); use the service-level devices: key',
    ]);
  });

  it('x-* keys are kept at the top level and in services, ignored where the compose-spec allows them, rejected elsewhere', async () => {
    const r = await load([...web('deploy:', '  x-note: hi', 'healthcheck: {test: [CMD, x], x-a: 1}'), 'volumes:', '  data:', '    x-note: hi']);
    expect(r.stack.services.web.deploy).not.toHaveProperty('x-note');
    expect(r.stack.volumes?.data).not.toHaveProperty('x-note');
    expect(r.warnings).toEqual([]);
    expect(await problems(web('deploy:', '  placement: {x-note: hi}', 'blkio_config: {x-a: 1}'))).toEqual([
      'stack.yaml:5:19 services.web.deploy.placement.x-note: unknown key',
      'stack.yaml:6:20 services.web.blkio_config.x-a: unknown key',
    ]);
  });

  it('numbers where Compose wants strings are refused as docker compose refuses them', async () => {
    expect(await problems([...web('user: 1000', 'secrets: [{source: s, uid: 1}]'), 'secrets: {s: {external: true}}'])).toEqual([
      'stack.yaml:4:11 services.web.user: expected a string, got 1000',
      'stack.yaml:5:32 services.web.secrets[0].uid: expected a string, got 1',
    ]);
  });

  it('reports ALL type problems, sorted by position', async () => {
    expect(
      await problems([
        'services:',
        '  api:',
        '    image: api',
        '    stop_grace_period: 10',
        '    deploy:',
        '      replicas: three',
        '      mode: everywhere',
        '      resources: {limits: {memory: lots}}',
        '    ports: ["99999:80"]',
        '    init: maybe',
        '    healthcheck: {test: [RUN, x]}',
        '  web:',
        '    image: [a]',
        '    command: {a: b}',
      ]),
    ).toEqual([
      'stack.yaml:4:24 services.api.stop_grace_period: durations need a unit (e.g. "10s"), got 10',
      'stack.yaml:6:17 services.api.deploy.replicas: expected an integer, got "three"',
      'stack.yaml:7:13 services.api.deploy.mode: expected one of "replicated", "global", got "everywhere"',
      'stack.yaml:8:36 services.api.deploy.resources.limits.memory: expected a byte size like "512M" or "1g", got "lots"',
      'stack.yaml:9:13 services.api.ports[0]: invalid published port "99999"',
      'stack.yaml:10:11 services.api.init: expected true or false, got "maybe"',
      'stack.yaml:11:25 services.api.healthcheck.test: a healthcheck test list starts with NONE, CMD or CMD-SHELL, got "RUN"',
      'stack.yaml:13:12 services.web.image: expected a string, got a list',
      'stack.yaml:14:14 services.web.command: expected a string or a list of strings, got a map',
    ]);
  });

  it('file modes, ports and volumes in their short forms are checked', async () => {
    expect(
      await problems(
        web('ports: ["8000-8002:80"]', 'volumes: ["./a:/b:rx"]', 'configs:', '  - source: c', '    mode: "0999"').concat(['configs: {c: {file: c.txt}}']),
        { files: { 'c.txt': '' } },
      ),
    ).toEqual([
      'stack.yaml:4:13 services.web.ports[0]: invalid port "8000-8002:80": published and target ranges must have the same size',
      'stack.yaml:5:15 services.web.volumes[0]: invalid volume "./a:/b:rx": unknown option "rx"',
      'stack.yaml:8:15 services.web.configs[0].mode: expected an octal file mode like 0440, got "0999"',
    ]);
  });

  it('a required key that is missing points at its parent', async () => {
    expect(await problems(web('ports:', '  - published: 80'))).toEqual(['stack.yaml:5:9 services.web.ports[0].target: required']);
  });

  it('depends_on an unknown service, or in a cycle', async () => {
    expect(
      await problems([
        'services:',
        '  a:',
        '    image: x',
        '    depends_on: [b, ghost]',
        '  b:',
        '    image: x',
        '    depends_on: {c: {condition: service_healthy}}',
        '  c:',
        '    image: x',
        '    depends_on: [a]',
      ]),
    ).toEqual([
      'stack.yaml:4:18 services.a.depends_on.b: dependency cycle: a -> b -> c -> a',
      'stack.yaml:4:21 services.a.depends_on.ghost: unknown service "ghost"',
    ]);
  });

  it('a service with neither image nor build', async () => {
    expect(await problems(['services:', '  web:', '    command: run'])).toEqual(['stack.yaml:2:3 services.web: a service needs an image or a build']);
  });

  it('two services publishing the same port/protocol, in ingress or host mode', async () => {
    expect(
      await problems([
        'services:',
        '  a:',
        '    image: x',
        '    ports: ["8080:80", "53:53/udp"]',
        '  b:',
        '    image: x',
        '    ports: ["53:53", {target: 81, published: 8080, mode: host}]',
      ]),
    ).toEqual(['stack.yaml:7:22 services.b.ports[1]: port 8080/tcp is already published by service "a"']);
  });

  it('configs, secrets, volumes and networks referenced but not defined; config files that do not exist', async () => {
    expect(
      await problems([
        ...web('configs: [app]', 'secrets: [{source: key}]', 'volumes: [data:/data]', 'networks: [front]'),
        'configs:',
        '  other:',
        '    file: ./missing.conf',
        '  empty: {}',
      ]),
    ).toEqual([
      'stack.yaml:4:15 services.web.configs[0]: config "app" is not defined in the top-level configs',
      'stack.yaml:5:15 services.web.secrets[0]: secret "key" is not defined in the top-level secrets',
      'stack.yaml:6:15 services.web.volumes[0]: volume "data" is not defined in the top-level volumes',
      'stack.yaml:7:16 services.web.networks.front: network "front" is not defined in the top-level networks',
      `stack.yaml:10:11 configs.other.file: file ${process.cwd()}/missing.conf does not exist or cannot be read`,
      'stack.yaml:11:3 configs.empty: needs file: or external: true',
    ]);
  });

  it('schema problems and cross-reference problems are reported together', async () => {
    expect(
      await problems([
        'services:',
        '  a:',
        '    image: x',
        '    depends_on: [ghost]',
        '    networks: [nowhere]',
        '  b:',
        '    imag: y',
        '    ports: "80:80"',
        'volumes: []',
      ]),
    ).toEqual([
      'stack.yaml:4:18 services.a.depends_on.ghost: unknown service "ghost"',
      'stack.yaml:6:3 services.b: a service needs an image or a build',
      'stack.yaml:7:5 services.b.imag: unknown key, did you mean "image"?',
      'stack.yaml:8:12 services.b.ports: expected a list, got "80:80"',
      'stack.yaml:9:10 volumes: expected a map, got a list',
    ]);
  });

  it('a missing env_file is an error at its entry', async () => {
    expect(await problems(web('env_file: [web.env]'))).toEqual([`stack.yaml:4:16 services.web.env_file[0]: cannot read ${process.cwd()}/web.env`]);
  });

  it('an unreadable stack file', async () => {
    expect(await problems([], { load: ['nope.yaml'] })).toEqual(['nope.yaml:1:1 cannot read the file']);
  });
});
