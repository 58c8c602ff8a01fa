// Hostile stack files are refused quickly, with a position, and every key is data.
import { load, problems, web } from './helpers.js';

const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

describe('alias bombs', () => {
  // "billion laughs": each level doubles or decuples the one before
  const bomb = (levels: number, fanout: number, base = 10) => {
    const lines = [`x-a0: &a0 [${Array(base).fill('lol').join(', ')}]`];
    for (let i = 1; i <= levels; i++)
      lines.push(
        `x-a${i}: &a${i} [${Array(fanout)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    return [...lines, 'services:', '  web:', '    image: nginx', `    labels: {x: *a${levels}}`];
  };

  it('refuses the classic billion laughs (10^9 values from 1 KB) at the alias that crosses a bound', async () => {
    const out = await problems(bomb(9, 10));
    expect(out).toEqual([expect.stringMatching(/^stack\.yaml:2:\d+ x-a4(\[\d\])+: more than 10000 aliases are expanded$/)]);
  });

  it('refuses a file whose few aliases expand past 250000 values', async () => {
    const out = await problems(bomb(3, 10, 1000));
    expect(out).toEqual([
      expect.stringMatching(/^stack\.yaml:\d+:\d+ x-a\d(\[\d+\])+: the document expands to more than 250000 values \(aliases used too often\?\)$/),
    ]);
  });

  it('refuses too many alias expansions even when each is small', async () => {
    const lines = ['x-one: &one 1', 'x-many:'];
    for (let i = 0; i < 10_001; i++) lines.push(`  - *one`);
    const out = await problems([...lines, 'services: {web: {image: nginx}}']);
    expect(out).toEqual([expect.stringMatching(/^stack\.yaml:\d+:5 x-many\[\d+\]: more than 10000 aliases are expanded$/)]);
  });

  it('still expands ordinary anchors and merge keys', async () => {
    const r = await load(['x-env: &env {A: "1"}', 'services:', '  web:', '    image: nginx', '    environment: *env']);
    expect(r.stack.services.web.environment).toEqual({ A: '1' });
  });

  it('uses the nearest anchor before an alias when a name is reused', async () => {
    const r = await load(['x-a: &img one', 'x-b: &img two', 'services: {web: {image: *img}}']);
    expect(r.stack.services.web.image).toBe('two');
  });

  it('refuses thousands of nested brackets without a stack overflow', async () => {
    expect(await problems(`services: ${'['.repeat(20_000)}`)).toEqual([expect.stringMatching(/^stack\.yaml:\d+:\d+ /)]);
  });
});

describe('numbers out of range', () => {
  it.each([
    ['deploy: {replicas: 1e308}', 'services.web.deploy.replicas: 1e+308 is out of range'],
    ['deploy: {replicas: 10001}', 'services.web.deploy.replicas: expected an integer from 0 to 10000, got 10001'],
    ['deploy: {replicas: "99999999999999999999"}', 'services.web.deploy.replicas: 99999999999999999999 is out of range'],
    ['deploy: {placement: {max_replicas_per_node: 20000}}', 'services.web.deploy.placement.max_replicas_per_node: expected an integer from 0 to 10000, got 20000'],
    [
      'deploy: {update_config: {parallelism: 4294967296}}',
      'services.web.deploy.update_config.parallelism: expected an integer from 0 to 2147483647, got 4294967296',
    ],
    ['deploy: {update_config: {max_failure_ratio: 2}}', 'services.web.deploy.update_config.max_failure_ratio: expected a number from 0 to 1, got 2'],
    ['deploy: {resources: {limits: {cpus: 1e300}}}', 'services.web.deploy.resources.limits.cpus: 1e+300 CPUs is out of range'],
    ['stop_grace_period: 9999999999h', 'services.web.stop_grace_period: duration "9999999999h" is out of range (at most 2562047h47m16s854ms)'],
    ['healthcheck: {interval: 1e400h}', 'services.web.healthcheck.interval: expected a duration like "1m30s" or "500ms", got "1e400h"'],
    ['healthcheck: {retries: 3000000000}', 'services.web.healthcheck.retries: expected an integer from 0 to 2147483647, got 3000000000'],
    ['shm_size: 99999999999t', 'services.web.shm_size: byte size "99999999999t" is out of range'],
    ['ulimits: {nofile: 1e20}', 'services.web.ulimits.nofile: 100000000000000000000 is out of range'],
    ['restart: on-failure:99999999999', 'services.web.restart: expected one of "no", "always", "on-failure[:N]", "unless-stopped", got "on-failure:99999999999"'],
    ['ports: ["70000:80"]', 'services.web.ports[0]: invalid published port "70000"'],
  ])('%s', async (line, message) => {
    const out = await problems(web(line));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^stack\.yaml:4:\d+ /);
    expect(out[0].replace(/^stack\.yaml:4:\d+ /, '')).toBe(message);
  });

  it('bounds the ports a stack expands its ranges to', async () => {
    const out = await problems(web('ports: ["1-65535:1-65535", "1-100/udp"]'));
    expect(out).toEqual(['stack.yaml:4:32 services.web.ports[1]: the stack has more than 65536 ports']);
  });

  it('keeps -1 (unlimited) for ulimits', async () => {
    const r = await load(web('ulimits: {memlock: {soft: -1, hard: -1}}'));
    expect(r.stack.services.web.ulimits).toEqual({ memlock: { soft: -1, hard: -1 } });
  });
});

describe('keys named like Object.prototype members are data', () => {
  it.each(PROTO_KEYS)('%s as a service, network, volume, config, secret, variable and label', async (key) => {
    const r = await load(
      [
        'services:',
        `  ${key}:`,
        '    image: nginx',
        `    environment: {${key}: "e"}`,
        `    labels: ["${key}=l"]`,
        `    networks: [${key}]`,
        `    volumes: ["${key}:/data"]`,
        `    configs: [${key}]`,
        `    secrets: [${key}]`,
        `    depends_on: [other]`,
        `    ulimits: {${key}: 5}`,
        '  other: {image: nginx}',
        `networks: {${key}: {}}`,
        `volumes: {${key}: {}}`,
        `configs: {${key}: {file: ./c}}`,
        `secrets: {${key}: {file: ./s}}`,
        `x-${key}: 1`,
      ],
      { files: { c: 'config', s: 'secret', '.env': `${key}=from-dotenv` } },
    );
    const svc = Object.getOwnPropertyDescriptor(r.stack.services, key)?.value;
    expect(svc.image).toBe('nginx');
    expect(Object.getPrototypeOf(r.stack.services)).toBe(Object.prototype);
    expect(Object.keys(r.stack.services).sort()).toEqual([key, 'other'].sort());
    expect(Object.getOwnPropertyDescriptor(svc.environment, key)?.value).toBe('e');
    expect(Object.getOwnPropertyDescriptor(svc.labels, key)?.value).toBe('l');
    expect(Object.keys(svc.networks)).toEqual([key]);
    expect(Object.keys(svc.ulimits)).toEqual([key]);
    for (const kind of ['networks', 'volumes', 'configs', 'secrets'] as const) {
      expect(Object.keys(r.stack[kind])).toContain(key);
    }
    expect(Object.getOwnPropertyDescriptor(r.configData, key)?.value.toString()).toBe('config');
    expect(JSON.parse(JSON.stringify(r.stack)).services[key].image).toBe('nginx');
  });

  it.each(PROTO_KEYS)('${%s} is a variable like any other: unset unless the environment sets it', async (key) => {
    const r = await load(web(`environment: {A: "[\${${key}}]"}`));
    expect(r.stack.services.web.environment.A).toBe('[]');
    expect(r.warnings).toEqual([`stack.yaml:4:22 services.web.environment.A: variable "${key}" is not set, using ""`]);
  });

  it.each(PROTO_KEYS)('%s as an unknown key is reported as unknown', async (key) => {
    expect(await problems(web(`${key}: 1`))).toEqual([`stack.yaml:4:5 services.web.${key}: unknown key`]);
  });

  it('a service that is only __proto__: {image} still needs its own image', async () => {
    const out = await problems(['services:', '  web:', '    __proto__: {image: nginx}']);
    expect(out).toContain('stack.yaml:2:3 services.web: a service needs an image or a build');
  });
});

describe('names', () => {
  it.each([
    ['services', 'service'],
    ['networks', 'network'],
    ['volumes', 'volume'],
    ['configs', 'config'],
    ['secrets', 'secret'],
  ])("refuses invalid %s names by Compose's rule", async (section, kind) => {
    const body = section === 'services' ? '{image: nginx}' : section === 'configs' || section === 'secrets' ? '{external: true}' : '{}';
    const yaml =
      section === 'services'
        ? ['services:', `  "WEB!": ${body}`, '  "": {image: nginx}']
        : ['services: {web: {image: nginx}}', `${section}:`, `  "WEB!": ${body}`, `  "": ${body}`];
    const out = await problems(yaml);
    const line = section === 'services' ? 2 : 3;
    expect(out).toEqual(
      expect.arrayContaining([
        `stack.yaml:${line}:3 ${section}.WEB!: invalid ${kind} name "WEB!": use letters, digits, ".", "_" and "-"`,
        `stack.yaml:${line + 1}:3 ${section}.: invalid ${kind} name "": use letters, digits, ".", "_" and "-"`,
      ]),
    );
  });

  it('accepts dots, dashes and underscores', async () => {
    const r = await load(['services: {web.v1_a-b: {image: nginx}}']);
    expect(Object.keys(r.stack.services)).toEqual(['web.v1_a-b']);
  });
});

describe('encoding', () => {
  it('refuses a stack file that is not UTF-8 at the first bad byte', async () => {
    const bytes = Buffer.concat([Buffer.from('services:\n  web:\n    image: ngi'), Buffer.from([0xff, 0xfe]), Buffer.from('nx\n')]);
    const out = await problems([], { load: ['bad.yaml'], files: { 'bad.yaml': bytes } });
    expect(out).toEqual(['bad.yaml:3:15 not valid UTF-8']);
  });

  it('refuses an env_file and a .env that are not UTF-8', async () => {
    const bad = Buffer.from([0x41, 0x3d, 0xc3, 0x28, 0x0a]);
    expect(await problems(web('env_file: web.env'), { files: { 'web.env': bad } })).toEqual([`${process.cwd()}/web.env:1:3 not valid UTF-8`]);
    expect(await problems(web(), { files: { '.env': bad } })).toEqual(['.env:1:3 not valid UTF-8']);
  });

  it('reads a file with a byte order mark', async () => {
    const r = await load([], { load: ['bom.yaml'], files: { 'bom.yaml': Buffer.from('\ufeffservices: {web: {image: nginx}}\n') } });
    expect(r.stack.services.web.image).toBe('nginx');
  });
});

describe('files larger than their cap', () => {
  it('refuses a config over 500 KB, an env_file over 1 MB and a stack file over 2 MB, whatever the reader', async () => {
    const big = (n: number) => Buffer.alloc(n, 'a');
    const cwd = process.cwd();
    expect(await problems(['services: {web: {image: nginx}}', 'configs: {c: {file: ./c}}'], { files: { c: big(500 * 1024 + 1) } })).toEqual([
      `stack.yaml:2:21 configs.c.file: ${cwd}/c: 512001 bytes, more than the 500 KB allowed`,
    ]);
    expect(await problems(web('env_file: e.env'), { files: { 'e.env': big(1024 * 1024 + 1) } })).toEqual([
      `stack.yaml:4:15 services.web.env_file[0]: ${cwd}/e.env: 1048577 bytes, more than the 1 MB allowed`,
    ]);
    expect(await problems([], { load: ['huge.yaml'], files: { 'huge.yaml': big(2 * 1024 * 1024 + 1) } })).toEqual([
      'huge.yaml:1:1 2097153 bytes, more than the 2 MB allowed',
    ]);
  });
});
