// The compose-spec schema is the ground truth of what a file may say: every key it defines is
// known to stackd (honoured, ignored with a warning, or refused with a reason), none is an "unknown key".
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, problems, web } from './helpers.js';
// @ts-expect-error: a plain .mjs script of hack/, without types
import { composeValidatorSource } from '../../../hack/lib/compose-validator-source.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
type Node = { $ref?: string; properties?: Record<string, Node>; oneOf?: Node[]; items?: Node };
const schema = JSON.parse(readFileSync(path.join(root, 'third_party/compose-spec/compose-spec.json'), 'utf8'));
const defs: Record<string, Node> = schema.definitions;

/** The property names of a schema node, every branch of a oneOf alike. */
function keys(node: Node): string[] {
  const n = node.$ref ? defs[node.$ref.split('/').pop() as string] : node;
  return [...Object.keys(n.properties ?? {}), ...(n.oneOf ?? []).flatMap(keys)];
}
const service = defs.service.properties as Record<string, Node>;

/** Where each kind of object sits in a stack file: `K` is replaced by the key under test. */
const PLACES: [string, string[], (k: string) => string[]][] = [
  ['top level', Object.keys(schema.properties), (k) => ['services: {web: {image: x}}', `${k}: null`]],
  ['service', keys(defs.service), (k) => web(`${k}: null`)],
  ['build', keys(service.build), (k) => web(`build: {context: ., ${k}: null}`)],
  ['deploy', keys(defs.deployment), (k) => web(`deploy: {${k}: null}`)],
  ['healthcheck', keys(defs.healthcheck), (k) => web(`healthcheck: {${k}: null}`)],
  ['service network', keys((service.networks.oneOf as Node[])[1] as Node).concat(['aliases', 'ipv4_address']), (k) => web(`networks: {default: {${k}: null}}`)],
  ['long port', keys(service.ports.items as Node), (k) => web(`ports: [{target: 80, ${k}: null}]`)],
  ['long volume', keys(service.volumes.items as Node), (k) => web(`volumes: [{type: volume, target: /v, ${k}: null}]`)],
  ['network', keys(defs.network), (k) => ['services: {web: {image: x}}', `networks: {n: {${k}: null}}`]],
  ['volume', keys(defs.volume), (k) => ['services: {web: {image: x}}', `volumes: {v: {${k}: null}}`]],
  ['config', keys(defs.config), (k) => ['services: {web: {image: x}}', `configs: {c: {${k}: null}}`]],
  ['secret', keys(defs.secret), (k) => ['services: {web: {image: x}}', `secrets: {s: {${k}: null}}`]],
];

describe('the compose-spec schema as ground truth', () => {
  const cases = PLACES.flatMap(([place, names, yaml]) => [...new Set(names)].map((k) => [place, k, yaml(k)] as const));

  it('covers every object of the spec', () => {
    expect(cases.length).toBeGreaterThan(180);
  });

  it.each(cases)('%s key %s is known to stackd', async (_place, key, yaml) => {
    let lines: string[];
    try {
      lines = (await load(yaml)).warnings;
    } catch (err) {
      lines = (err as Error).message.split('\n');
    }
    expect(lines.filter((l) => l.includes(`${key}: unknown key`))).toEqual([]);
  });

  it('the compiled validator is the one of the vendored schema (run hack/gen-compose-validator.mjs after updating it)', () => {
    const committed = readFileSync(path.join(root, 'third_party/compose-spec/validate.cjs'), 'utf8');
    expect(committed === composeValidatorSource()).toBe(true);
  });
});

describe("the schema's problems in stackd's words", () => {
  it('names the key, the expected type and the deepest place a oneOf failed', async () => {
    expect(await problems(web('platform: 5', 'annotations: [1]', 'expose: [{a: 1}]', 'blkio_config: {weight: [1]}'))).toEqual([
      'stack.yaml:4:15 services.web.platform: expected a string, got 5',
      'stack.yaml:5:19 services.web.annotations[0]: expected a string, got 1',
      'stack.yaml:6:14 services.web.expose[0]: expected a port like "3000" or "8000-8010/udp", got a map',
      'stack.yaml:7:28 services.web.blkio_config.weight: expected an integer or a string, got a list',
    ]);
  });

  it('version: 3.8 unquoted is fine (Compose ignores the key)', async () => {
    expect((await load(['version: 3.8', ...web()])).warnings).toEqual([]);
  });

  it('an enum, and a required key', async () => {
    expect(await problems(web('cgroup: shared', 'provider: {options: {}}'))).toEqual([
      'stack.yaml:4:13 services.web.cgroup: expected one of "host", "private", got "shared"',
      'stack.yaml:5:5 services.web.provider.type: required',
    ]);
  });
});

describe('service-level resources and scale', () => {
  it('are read into deploy', async () => {
    const r = await load(web('cpus: 1.5', 'mem_limit: 1g', 'mem_reservation: 256m', 'pids_limit: 50', 'scale: 3'));
    expect(r.stack.services.web.deploy.replicas).toBe(3);
    expect(r.stack.services.web.deploy.resources).toEqual({
      limits: { cpus: 1.5, memory: 1024 ** 3, pids: 50 },
      reservations: { memory: 256 * 1024 ** 2 },
    });
  });

  it('saying something else than deploy: is refused', async () => {
    expect(await problems(web('mem_limit: 1g', 'scale: 2', 'deploy: {replicas: 3, resources: {limits: {memory: 2g}}}'))).toEqual([
      'stack.yaml:4:5 services.web.mem_limit: conflicts with deploy.resources.limits.memory',
      'stack.yaml:5:5 services.web.scale: conflicts with deploy.replicas',
    ]);
  });

  it('pid and ipc: the host or the task itself, never another service', async () => {
    expect((await load(web('pid: host', 'ipc: shareable'))).stack.services.web).toMatchObject({ pid: 'host', ipc: 'shareable' });
    expect(await problems(web('ipc: "service:db"'))).toEqual([
      'stack.yaml:4:10 services.web.ipc: "service:db": a service\'s tasks run on different nodes and cannot share a namespace with another service',
    ]);
  });
});
