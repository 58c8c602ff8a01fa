// The seed's accounts project (manifests/accounts/docker-compose.yml) through the Compose workflow:
// up -d with stackd auto-started, an HTTP request to web, a changed image recreating only its
// service, stop/start keeping the containers, down keeping the volume, down --volumes.
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli.js';
import { eventually, freePort } from '../../helpers/stackd.js';
import { ComposeEnv } from './compose-env.js';

const LONG = 180_000;

const env = new ComposeEnv('cacc');
const project = env.project();
let dir: string;
let webPort: number;

beforeAll(async () => {
  webPort = await freePort();
  const apiPort = await freePort();
  // the file's fixed host ports, moved so that this run can sit beside any other
  dir = env.copy(join(ROOT, 'manifests/accounts'), 'accounts', 'docker-compose.yml', (t) =>
    t.replace('"8088:80"', `"${webPort}:80"`).replace('"8081:80"', `"${apiPort}:80"`),
  );
}, LONG);

afterAll(() => env.cleanup());

test(
  'up -d starts stackd, runs the migration once and serves the web tier',
  async () => {
    const up = await env.ok(['up', '-d', '-p', project], dir);
    expect(up.stderr).toContain('Started stackd in the background');
    expect(up.stderr).toMatch(/Container web-1 +Started/);

    const page = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${webPort}/`);
      const text = await res.text();
      expect(text).toContain('"answers":true');
      return text;
    });
    expect(page).toContain('accounts-api');

    const migration = await eventually(async () => {
      const [c] = (await env.containers(project)).filter((x) => x.Labels['io.stackd.service'] === 'db-migration');
      expect(c.State).toBe('exited');
      return c;
    });
    expect(migration.Status).toMatch(/^Exited \(0\)/);
    const logs = await env.ok(['logs', '-p', project, 'db-migration'], dir);
    expect(logs.stdout).toMatch(/^db-migration-1 +\| goose: successfully migrated/m);

    // the project is a stack: the stack commands see it
    const ls = JSON.parse((await env.ok(['ls', '--format', 'json'])).stdout) as { name: string; services: number }[];
    expect(ls).toContainEqual(expect.objectContaining({ name: project, services: 4 }));
  },
  LONG,
);

test(
  'up -d again after an image change replaces only that service',
  async () => {
    const before = await env.ids(project);
    await env.ok(['up', '-d', '-p', project], dir); // unchanged: nothing replaced
    expect(await env.ids(project)).toEqual(before);

    const env2 = join(dir, '.env');
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(env2, readFileSync(env2, 'utf8').replace('MIGRATION_IMAGE=stackd/busybox:latest', 'MIGRATION_IMAGE=stackd/busybox:v2'));
    await env.ok(['up', '-d', '-p', project], dir);
    const after = await eventually(async () => {
      const ids = await env.ids(project);
      expect(Object.keys(ids).sort()).toEqual(['api', 'db-migration', 'mysql', 'web']);
      expect(ids['db-migration']).not.toBe(before['db-migration']);
      return ids;
    });
    expect({ ...after, 'db-migration': '' }).toEqual({ ...before, 'db-migration': '' });
    const ps = JSON.parse((await env.ok(['compose', 'ps', '-a', '--format', 'json', '-p', project], dir)).stdout) as { Service: string; Image: string }[];
    expect(ps.find((c) => c.Service === 'db-migration')?.Image).toBe('stackd/busybox:v2');
  },
  LONG,
);

test(
  'stop keeps the containers; start runs the same ones again',
  async () => {
    const running = await env.ids(project, false);
    expect(Object.keys(running).sort()).toEqual(['api', 'mysql', 'web']);
    await env.ok(['stop', '-p', project], dir);
    expect(await env.ids(project, false)).toEqual({});
    const stopped = await env.containers(project);
    expect(stopped.map((c) => c.State)).toEqual(stopped.map(() => 'exited'));

    await env.ok(['start', '-p', project], dir);
    await eventually(async () => expect(await env.ids(project, false)).toEqual(running));
    await eventually(async () => expect((await fetch(`http://127.0.0.1:${webPort}/`)).status).toBe(200));
  },
  LONG,
);

test(
  'down removes containers and network and keeps the volume; down --volumes removes it',
  async () => {
    await env.ok(['down', '-p', project], dir);
    expect(await env.containers(project)).toEqual([]);
    const label = [`io.stackd.stack=${project}`];
    expect(await env.docker.listNetworks({ filters: { label } })).toEqual([]);
    const volumes = async () => ((await env.docker.listVolumes({ filters: { label } })).Volumes ?? []).map((v) => v.Name);
    expect(await volumes()).toEqual([`${project}_mysql`]);

    await env.ok(['down', '--volumes', '-p', project], dir);
    expect(await volumes()).toEqual([]);
  },
  LONG,
);
