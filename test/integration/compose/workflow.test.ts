// The rest of the Compose workflow on a small project of its own (test/fixtures/compose/build): an
// invalid file, build then up, profiles, logs -f of two services, exec, and a foreground up that
// SIGINT stops.
import { join } from 'node:path';
import { eventually } from '../../helpers/stackd.js';
import { ComposeEnv, FIXTURES } from './compose-env.js';

const LONG = 180_000;
const env = new ComposeEnv('cwf');
const project = env.project();
const dir = join(FIXTURES, 'build');
const at = (...args: string[]) => [...args, '-p', project];

afterAll(() => env.cleanup(), LONG);

test('an invalid file: file:line:col, exit 2, nothing created and no daemon started', async () => {
  const r = await env.stackctl(['up', '-d', '-p', project], join(FIXTURES, 'invalid'));
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(`${join(FIXTURES, 'invalid', 'compose.yaml')}:5:9 services.web.ports[0]: invalid published port "eighty"\n`);
  expect(env.logTail()).toBe('(stackd not started)');
  expect(await env.containers(project)).toEqual([]);
});

test('no compose file: one line that says where it looked and what to do', async () => {
  const r = await env.stackctl(['up', '-d'], env.dir);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    `no configuration file provided: not found (looked for compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml in ${env.dir}`,
  );
  expect(r.stderr).toContain('use -f FILE');
});

test(
  'build then up -d runs the built image; profiles keep the debug service off until asked',
  async () => {
    const build = await env.ok(at('build'), dir);
    expect(build.stderr).toContain(`Service hello  Built (${project}-hello)`);
    await env.docker.getImage(`${project}-hello`).inspect(); // throws when missing

    await env.ok(at('up', '-d'), dir);
    expect(Object.keys(await env.ids(project, false)).sort()).toEqual(['hello', 'other']);
    await eventually(async () => expect((await env.ok(at('logs', 'hello'), dir)).stdout).toContain('hello-1  | built-by-stackctl'));

    await env.ok([...at('up', '-d'), '--profile', 'debug'], dir);
    await eventually(async () => expect(Object.keys(await env.ids(project, false)).sort()).toEqual(['debug', 'hello', 'other']));
  },
  LONG,
);

test(
  'logs -f shows the lines of two services, prefixed',
  async () => {
    const logs = env.spawn(at('logs', '-f', '--tail', '1'), dir);
    try {
      await eventually(() => {
        expect(logs.output()).toMatch(/^hello-1 +\| tick hello$/m);
        expect(logs.output()).toMatch(/^other-1 +\| tick other$/m);
        return true;
      });
    } finally {
      logs.child.kill('SIGINT');
    }
    expect(await logs.exited).toBe(0);
  },
  LONG,
);

test(
  'exec returns the output and the exit code of the command',
  async () => {
    const r = await env.stackctl(at('exec', 'other', 'sh', '-c', 'echo out-$((1+2)); echo err >&2; exit 3'), dir);
    expect(r).toEqual({ code: 3, stdout: 'out-3\n', stderr: 'err\n' });
    const none = await env.stackctl(at('exec', '--index', '2', 'other', 'true'), dir);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no running container 2');
  },
  LONG,
);

test(
  'SIGINT to a foreground up stops the containers; up -d starts the same ones again',
  async () => {
    await env.ok(at('stop', 'debug'), dir);
    const fg = env.spawn(at('up'), dir);
    try {
      await eventually(() => fg.output().includes('Attaching to'), 60_000);
      const running = await env.ids(project, false);
      expect(Object.keys(running).sort()).toEqual(['hello', 'other']);
      await eventually(() => expect(fg.output()).toMatch(/^other-1 +\| tick other$/m));
      fg.child.kill('SIGINT');
      expect(await fg.exited).toBe(130);
      expect(fg.output()).toContain('Gracefully stopping... (press Ctrl+C again to force)');
      const after = (await env.containers(project)).filter((c) => ['hello', 'other'].includes(c.Labels['io.stackd.service']));
      expect(after.map((c) => c.State)).toEqual(after.map(() => 'exited'));

      await env.ok(at('up', '-d'), dir);
      await eventually(async () => expect(await env.ids(project, false)).toEqual(running));
    } finally {
      fg.child.kill('SIGKILL');
    }
    // away from the files, -p names the project (Compose allows it): the Store knows the rest
    await env.ok(at('down', '--rmi', 'local'), env.dir);
    expect(await env.containers(project)).toEqual([]);
    await expect(env.docker.getImage(`${project}-hello`).inspect()).rejects.toThrow();
  },
  LONG,
);

test(
  'up --wait waits for health; restart keeps the containers; orphans stay until --remove-orphans',
  async () => {
    const name = env.project('cwfo');
    const file = (withB: boolean) => `services:
  a:
    image: stackd/busybox:latest
    init: true
    command: ["sleep", "3600"]
    healthcheck: {test: ["CMD", "test", "-e", "/bin/sh"], interval: 1s}
${withB ? '  b:\n    image: stackd/busybox:latest\n    init: true\n    command: ["sleep", "3600"]\n' : ''}`;
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const pdir = join(env.dir, 'orphans');
    mkdirSync(pdir);
    writeFileSync(join(pdir, 'compose.yaml'), file(true));
    const up = await env.ok(['up', '--wait', '-p', name], pdir);
    expect(up.stderr).toMatch(/Container a-1 +Healthy/);
    const ps = JSON.parse((await env.ok(['compose', 'ps', '--format', 'json', '-p', name], pdir)).stdout) as { Service: string; Status: string }[];
    expect(ps.find((c) => c.Service === 'a')?.Status).toContain('(healthy)');

    const before = await env.ids(name);
    await env.ok(['restart', '-t', '1', '-p', name], pdir);
    await eventually(async () => expect(await env.ids(name, false)).toEqual(before));

    writeFileSync(join(pdir, 'compose.yaml'), file(false));
    const kept = await env.ok(['up', '-d', '-p', name], pdir);
    expect(kept.stderr).toContain('Found orphan containers ([b]) for this project');
    expect(Object.keys(await env.ids(name, false)).sort()).toEqual(['a', 'b']);
    await env.ok(['up', '-d', '--remove-orphans', '-p', name], pdir);
    await eventually(async () => expect(Object.keys(await env.ids(name)).sort()).toEqual(['a']));
    await env.ok(['down', '-p', name], pdir);
  },
  LONG,
);

test(
  'a second Ctrl+C kills the containers at once instead of waiting out their grace period',
  async () => {
    const name = env.project('cwfk');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const pdir = join(env.dir, 'stubborn');
    mkdirSync(pdir);
    writeFileSync(
      join(pdir, 'compose.yaml'),
      `services:
  stubborn:
    image: stackd/busybox:latest
    command: ["sh", "-c", "trap '' TERM; echo ignoring TERM; while true; do sleep 1; done"]
    stop_grace_period: 5m
`,
    );
    const fg = env.spawn(['up', '-p', name], pdir);
    try {
      await eventually(() => expect(fg.output()).toMatch(/^stubborn-1 +\| ignoring TERM$/m), 60_000);
      fg.child.kill('SIGINT');
      await eventually(() => fg.output().includes('Gracefully stopping'));
      fg.child.kill('SIGINT');
      expect(await fg.exited).toBe(130);
      expect(fg.output()).toContain('Killed 1 container(s)');
      const [c] = await env.containers(name);
      expect(c.State).toBe('exited');
    } finally {
      fg.child.kill('SIGKILL');
    }
    await env.ok(['down', '-p', name], pdir);
  },
  LONG,
);

test(
  'the project name and profiles can come from .env, as Compose reads them',
  async () => {
    const name = env.project('cwfe');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const pdir = join(env.dir, 'dotenv');
    mkdirSync(pdir);
    const svc = '    image: stackd/busybox:latest\n    init: true\n    command: ["sleep", "3600"]\n';
    writeFileSync(join(pdir, 'compose.yaml'), `services:\n  always:\n${svc}  extra:\n${svc}    profiles: [extra]\n`);
    writeFileSync(join(pdir, '.env'), `COMPOSE_PROJECT_NAME=${name}\nCOMPOSE_PROFILES=extra\n`);
    await env.ok(['up', '-d'], pdir);
    expect(Object.keys(await env.ids(name, false)).sort()).toEqual(['always', 'extra']);
    await env.ok(['down'], pdir);
    expect(await env.containers(name)).toEqual([]);
  },
  LONG,
);
