import * as path from 'node:path';
import {
  activeProfiles,
  composeRestartDefaults,
  enabledServices,
  findComposeFiles,
  onlyServices,
  projectFiles,
  withDependencies,
} from '../../../src/compose/project.js';
import { DEFAULT_RESTART_POLICY, type ServiceSpec, type StackSpec } from '../../../src/stackfile/index.js';

function svc(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    image: 'x',
    environment: {},
    ports: [],
    volumes: [],
    networks: {},
    labels: {},
    stop_grace_period: '10s',
    depends_on: {},
    configs: [],
    secrets: [],
    deploy: { mode: 'replicated', replicas: 1, endpoint_mode: 'vip', restart_policy: { ...DEFAULT_RESTART_POLICY } } as ServiceSpec['deploy'],
    ...over,
  };
}
const dep = (...names: string[]) => Object.fromEntries(names.map((n) => [n, { condition: 'service_started' as const, required: true }]));

describe('findComposeFiles', () => {
  const tree = (files: string[]) => (f: string) => files.includes(f);

  test('the first default name in the folder, in Compose order, with its override', () => {
    expect(findComposeFiles('/p', tree(['/p/docker-compose.yml', '/p/compose.yaml', '/p/compose.override.yaml']))).toEqual([
      '/p/compose.yaml',
      '/p/compose.override.yaml',
    ]);
    expect(findComposeFiles('/p', tree(['/p/docker-compose.yml', '/p/docker-compose.override.yml']))).toEqual([
      '/p/docker-compose.yml',
      '/p/docker-compose.override.yml',
    ]);
  });

  test('looks in the parents; undefined when none has one', () => {
    expect(findComposeFiles('/p/a/b', tree(['/p/compose.yml']))).toEqual(['/p/compose.yml']);
    expect(findComposeFiles('/p/a', tree([]))).toBeUndefined();
  });
});

describe('projectFiles', () => {
  test('-f wins over COMPOSE_FILE; both resolve against the working folder', () => {
    expect(projectFiles({ file: ['a.yml', '/b.yml'] }, { COMPOSE_FILE: 'c.yml' }, '/w')).toEqual(['/w/a.yml', '/b.yml']);
    expect(projectFiles({}, { COMPOSE_FILE: `c.yml${path.delimiter}d.yml` }, '/w')).toEqual(['/w/c.yml', '/w/d.yml']);
  });

  test('no file found: one line naming the folder and -f', () => {
    expect(() => projectFiles({}, {}, '/nonexistent/x')).toThrow(
      /no configuration file provided: not found \(looked for compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml in \/nonexistent\/x and its parents\); use -f FILE/,
    );
  });
});

describe('profiles', () => {
  const services = {
    web: svc({ depends_on: dep('db') }),
    db: svc(),
    debug: svc({ profiles: ['debug'], depends_on: dep('tools') }),
    tools: svc({ profiles: ['tools'] }),
    docs: svc({ profiles: ['docs', 'debug'] }),
  };

  test('services without profiles are always on; others when a profile of theirs is active', () => {
    expect(enabledServices(services, [])).toEqual(['db', 'web']);
    expect(enabledServices(services, ['docs'])).toEqual(['db', 'docs', 'web']);
    expect(enabledServices(services, ['*'])).toEqual(['db', 'debug', 'docs', 'tools', 'web']);
  });

  test('dependencies of an enabled service come along; a service named on the command line enables itself', () => {
    expect(enabledServices(services, ['debug'])).toEqual(['db', 'debug', 'docs', 'tools', 'web']);
    expect(enabledServices(services, [], ['tools'])).toEqual(['db', 'tools', 'web']);
  });

  test('--profile wins over COMPOSE_PROFILES (comma-separated)', () => {
    expect(activeProfiles({}, { COMPOSE_PROFILES: 'a, b' })).toEqual(['a', 'b']);
    expect(activeProfiles({ profile: ['c'] }, { COMPOSE_PROFILES: 'a' })).toEqual(['c']);
  });

  test('withDependencies: the named services and what they depend on, transitively', () => {
    expect(withDependencies(services, ['debug'])).toEqual(['debug', 'tools']);
    expect(withDependencies(services, ['web'])).toEqual(['db', 'web']);
  });
});

describe('composeRestartDefaults', () => {
  const stack = (services: Record<string, ServiceSpec>): StackSpec => ({ name: 'p', services, networks: {}, volumes: {}, configs: {}, secrets: {} });

  test('a service that says nothing about restarting runs once (Compose: restart "no")', () => {
    const out = composeRestartDefaults(stack({ job: svc() }));
    expect(out.services.job.deploy.restart_policy).toEqual({ ...DEFAULT_RESTART_POLICY, condition: 'none' });
  });

  test('restart: or a deploy.restart_policy of its own is kept', () => {
    const always = svc({ restart: 'always' });
    const own = svc();
    own.deploy = { ...own.deploy, restart_policy: { ...DEFAULT_RESTART_POLICY, delay: '1s' } };
    const out = composeRestartDefaults(stack({ always, own }));
    expect(out.services.always).toBe(always);
    expect(out.services.own).toBe(own);
  });

  test('onlyServices keeps the rest of the stack', () => {
    const s = { ...stack({ a: svc(), b: svc() }), volumes: { data: { name: 'p_data' } as never } };
    expect(onlyServices(s, ['b'])).toEqual({ ...s, services: { b: s.services.b } });
  });
});
