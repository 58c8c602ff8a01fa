// DockerRuntime against the real engine (hack/test.sh starts dockerd and builds the images).
import { DockerError, ImageUnavailableError } from '../../../src/runtime/docker-errors.js';
import { DockerRuntime } from '../../../src/runtime/docker.js';
import { EngineProbe } from '../../../src/runtime/engine-info.js';
import { containerCreateOptions, type ContainerContext } from '../../../src/runtime/docker-spec.js';
import { taskFiles } from '../../../src/runtime/files.js';
import { networkSettings, volumeSettings } from '../../../src/runtime/resource-spec.js';
import { service, task } from '../../unit/runtime/fixtures.js';
import { cleanupStack, collectLogs, nextEvent, runTask, uniqueStack } from './helpers.js';

import { jest } from '@jest/globals';

jest.setTimeout(60_000);

const rt = DockerRuntime.connect();
const stack = uniqueStack('rt');
const ctx: ContainerContext = {
  nodeName: 'node-1',
  clusterId: 'c1',
  networkNames: { default: `${stack}_default`, back: `${stack}_back` },
  volumeNames: { data: `${stack}_data` },
};
const since = new Date();
const events$ = rt.events$({ labels: [`io.stackd.stack=${stack}`], since });
let n = 0;
const newTask = (svc: string, template = service()) => task({ stack, service: svc, id: `t${++n}`, template });

beforeAll(async () => {
  await rt.ensureNetwork(ctx.networkNames.default, networkSettings(stack, { name: ctx.networkNames.default, driver_opts: {}, external: false, labels: {} }));
  await rt.ensureNetwork(ctx.networkNames.back, networkSettings(stack, { name: ctx.networkNames.back, driver_opts: {}, external: false, labels: {} }));
  await rt.ensureVolume(ctx.volumeNames.data, volumeSettings(stack, { name: ctx.volumeNames.data, driver_opts: {}, external: false, labels: {} }));
});

afterAll(() => cleanupStack(rt, stack));

describe('DockerRuntime', () => {
  it('reports the engine', async () => {
    const info = await rt.engineInfo();
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(info.apiVersion).toMatch(/^1\.\d+$/);
    expect(info.cpus).toBeGreaterThan(0);
    expect(info.memoryBytes).toBeGreaterThan(0);
    expect(info.os).toBe('linux');
    expect(info.hostname).not.toBe('');
  });

  it('tells the engine the same over plain HTTP (EngineProbe, what an agent asks before registering)', async () => {
    const probe = new EngineProbe();
    expect(probe.endpoint).toBe(rt.endpoint);
    expect(await probe.engineInfo()).toEqual(await rt.engineInfo());
  });

  it('runs the accounts tiers: files before start, names on the stack network, a named volume', async () => {
    const mysql = newTask(
      'mysql',
      service({
        image: 'stackd/mysql-standin:5.7',
        volumes: [{ type: 'volume', source: 'data', target: '/var/lib/mysql', read_only: false }],
        environment: { MYSQL_DATABASE: 'accounts' },
      }),
    );
    const api = newTask(
      'api',
      service({
        image: 'stackd/accounts-api:dev',
        configs: [{ source: 'plain', target: '/config/plain.yaml', uid: '0', gid: '0', mode: 0o440 }],
        secrets: [{ source: 'secret', target: '/config/secret.yaml', uid: '0', gid: '0', mode: 0o440 }],
      }),
    );
    await runTask(rt, mysql, ctx);
    const files = taskFiles(api, { configs: { plain: Buffer.from('listen: ":80"\n') }, secrets: { secret: Buffer.from('pw: 1\n') } });
    await runTask(rt, api, ctx, files);
    // a one-shot client on the same network asks the api by its service name
    const client = newTask('client', service({ command: ['sh', '-c', 'until wget -q -O - http://api/; do sleep 0.2; done'] }));
    const died = nextEvent(events$, (e) => e.task?.taskId === client.metadata.name && e.action === 'die');
    const clientId = await runTask(rt, client, ctx);
    expect((await died).exitCode).toBe(0);
    const { stdout } = await collectLogs(rt.logs(clientId));
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ service: 'accounts-api', db: { address: 'mysql:3306', answers: true }, config: { plain: true, secret: true } });
    // the volume holds what the db wrote
    const reader = newTask(
      'reader',
      service({ command: ['cat', '/data/queries.log'], volumes: [{ type: 'volume', source: 'data', target: '/data', read_only: true }] }),
    );
    const readerDied = nextEvent(events$, (e) => e.task?.taskId === reader.metadata.name && e.action === 'die');
    const readerId = await runTask(rt, reader, ctx);
    await readerDied;
    expect((await collectLogs(rt.logs(readerId))).stdout).toMatch(/ PING\n/);
  });

  it('writes files with their owner and mode', async () => {
    const t = newTask(
      'files',
      service({
        command: ['sh', '-c', 'stat -c "%n %u %g %a" /run/secrets/pw /etc/app/conf.yaml; cat /etc/app/conf.yaml'],
        configs: [{ source: 'conf', target: '/etc/app/conf.yaml', uid: '1000', gid: '1000', mode: 0o444 }],
        secrets: [{ source: 'pw', target: 'pw', uid: '0', gid: '1000', mode: 0o440 }],
      }),
    );
    const died = nextEvent(events$, (e) => e.task?.taskId === t.metadata.name && e.action === 'die');
    const id = await runTask(rt, t, ctx, taskFiles(t, { configs: { conf: Buffer.from('k: v\n') }, secrets: { pw: Buffer.from('x') } }));
    await died;
    expect((await collectLogs(rt.logs(id))).stdout).toBe('/run/secrets/pw 0 1000 440\n/etc/app/conf.yaml 1000 1000 444\nk: v\n');
  });

  it('reports a healthcheck turning healthy, then a stop and its exit code', async () => {
    const t = newTask(
      'healthy',
      service({
        command: ['sh', '-c', 'sleep 0.5; touch /tmp/ready; exec sleep 3600'],
        init: true,
        healthcheck: { test: ['CMD-SHELL', 'test -f /tmp/ready'], interval: '200ms', timeout: '1s', retries: 3, start_period: '0s' },
      }),
    );
    const healthy = nextEvent(events$, (e) => e.task?.taskId === t.metadata.name && e.action === 'health_status: healthy');
    const id = await runTask(rt, t, ctx);
    expect((await healthy).id).toBe(id);
    expect(await rt.inspect(id)).toMatchObject({ id, running: true, health: 'healthy', status: 'running' });
    const died = nextEvent(events$, (e) => e.id === id && e.action === 'die');
    await rt.stop(id, 5);
    expect((await died).exitCode).toBe(143); // sleep killed by TERM through the init
    const seen = await rt.inspect(id);
    expect(seen).toMatchObject({ running: false, status: 'exited', exitCode: 143 });
    expect(seen?.finishedAt).toBeDefined();
    await rt.stop(id, 5); // stopped already: fine
  });

  it('reports the exit code of a container that dies on its own', async () => {
    const t = newTask('dies', service({ command: ['sh', '-c', 'exit 3'] }));
    const died = nextEvent(events$, (e) => e.task?.taskId === t.metadata.name && e.action === 'die');
    const id = await runTask(rt, t, ctx);
    const ev = await died;
    expect(ev).toMatchObject({ id, exitCode: 3, task: { stack, service: 'dies', taskId: t.metadata.name, slot: 1, node: 'node-1', specHash: 'hash1' } });
  });

  it('reports a start that fails as the container error', async () => {
    const t = newTask('badcmd', service({ command: ['/no/such/binary'] }));
    const opts = containerCreateOptions(t, ctx);
    const id = await rt.createContainer(opts);
    await expect(rt.start(id)).rejects.toThrow(/no such file or directory/);
    expect((await rt.inspect(id))?.error).toMatch(/no such file or directory/);
  });

  it('gives the pull error for an image that is not here and cannot be pulled', async () => {
    const err = await rt.ensureImage('stackd/no-such-image:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageUnavailableError);
    expect((err as Error).message).toMatch(/^No such image: stackd\/no-such-image:1 \(pull failed: .+\)$/);
    await expect(rt.ensureImage('stackd/busybox:latest')).resolves.toBeUndefined();
  });

  it('connects a container to all its networks, reachable by alias on each', async () => {
    const server = newTask(
      'multi',
      service({
        image: 'stackd/accounts-api:dev',
        networks: { default: { aliases: [] }, back: { aliases: ['multi-back'] } },
      }),
    );
    const serverId = await runTask(rt, server, ctx);
    const networks = Object.keys((await rt.docker.getContainer(serverId).inspect()).NetworkSettings.Networks).sort();
    expect(networks).toEqual([ctx.networkNames.back, ctx.networkNames.default].sort());
    const client = newTask(
      'probe',
      service({
        command: ['sh', '-c', 'until wget -q -O /dev/null http://multi-back/; do sleep 0.2; done; echo ok'],
        networks: { back: { aliases: [] } },
      }),
    );
    const died = nextEvent(events$, (e) => e.task?.taskId === client.metadata.name && e.action === 'die');
    await runTask(rt, client, ctx);
    expect((await died).exitCode).toBe(0);
  });

  it('publishes ports on the engine host', async () => {
    const t = newTask('published', service({ image: 'stackd/accounts-api:dev', ports: [{ target: 80, protocol: 'tcp', mode: 'ingress' }] }));
    const id = await runTask(rt, t, ctx);
    const bound = (await rt.docker.getContainer(id).inspect()).NetworkSettings.Ports['80/tcp'];
    const port = bound.find((b) => b.HostIp === '0.0.0.0')?.HostPort ?? bound[0].HostPort;
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.json()).toMatchObject({ service: 'accounts-api', config: { plain: false, secret: false } });
  });

  it('creates idempotently by name, lists managed containers, removes idempotently', async () => {
    const t = newTask('idem', service({ command: ['true'] }));
    const opts = containerCreateOptions(t, ctx);
    const id = await rt.createContainer(opts);
    expect(await rt.createContainer(opts)).toBe(id);
    const listed = await rt.listManaged({ stack, service: 'idem' });
    expect(listed).toEqual([expect.objectContaining({ id, name: opts.name, state: 'created', task: expect.objectContaining({ taskId: t.metadata.name }) })]);
    await rt.remove(id);
    await rt.remove(id);
    expect(await rt.inspect(id)).toBeUndefined();
    expect(await rt.listManaged({ stack, service: 'idem' })).toEqual([]);
  });

  it('reads logs: demuxed without a TTY, raw with one, and followed until the container ends', async () => {
    const both = newTask('logs', service({ command: ['sh', '-c', 'echo out; echo err >&2'] }));
    const bothDied = nextEvent(events$, (e) => e.task?.taskId === both.metadata.name && e.action === 'die');
    const bothId = await runTask(rt, both, ctx);
    await bothDied;
    expect(await collectLogs(rt.logs(bothId))).toEqual({ stdout: 'out\n', stderr: 'err\n' });
    expect((await collectLogs(rt.logs(bothId, { timestamps: true }))).stdout).toMatch(/^\d{4}-\d\d-\d\dT\S+ out\n$/);

    const tty = newTask('tty', service({ command: ['sh', '-c', 'echo err >&2'], tty: true }));
    const ttyDied = nextEvent(events$, (e) => e.task?.taskId === tty.metadata.name && e.action === 'die');
    const ttyId = await runTask(rt, tty, ctx);
    await ttyDied;
    expect(await collectLogs(rt.logs(ttyId))).toEqual({ stdout: 'err\r\n', stderr: '' });

    const follow = newTask('follow', service({ command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo line $i; sleep 0.1; done'] }));
    const followId = await runTask(rt, follow, ctx);
    const followed = await collectLogs(rt.logs(followId, { follow: true }));
    expect(followed.stdout).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
    expect((await collectLogs(rt.logs(followId, { tail: 2 }))).stdout).toBe('line 4\nline 5\n');
  });

  it('stops following logs when aborted', async () => {
    const t = newTask('endless', service({ command: ['sh', '-c', 'while :; do echo tick; sleep 0.1; done'], init: true }));
    const id = await runTask(rt, t, ctx);
    const ac = new AbortController();
    let ticks = 0;
    for await (const c of rt.logs(id, { follow: true, signal: ac.signal })) {
      ticks += c.data.toString().split('tick').length - 1;
      if (ticks >= 2) ac.abort();
    }
    expect(ticks).toBeGreaterThanOrEqual(2);
    expect((await rt.inspect(id))?.running).toBe(true);
  });

  it('creates networks and volumes once, lists them, removes them', async () => {
    const name = `${stack}_extra`;
    const settings = networkSettings(stack, { name, driver_opts: {}, external: false, labels: { purpose: 'test' } });
    const id = await rt.ensureNetwork(name, settings);
    expect(await rt.ensureNetwork(name, settings)).toBe(id);
    await rt.ensureVolume(`${stack}_vol`, volumeSettings(stack, { name: `${stack}_vol`, driver_opts: {}, external: false, labels: {} }));
    await rt.ensureVolume(`${stack}_vol`, volumeSettings(stack, { name: `${stack}_vol`, driver_opts: {}, external: false, labels: {} }));
    const listed = await rt.listManagedResources(stack);
    expect(listed.networks.map((x) => x.name)).toContain(name);
    expect(listed.networks.find((x) => x.name === name)?.labels).toEqual({ purpose: 'test', 'io.stackd.stack': stack });
    expect(listed.volumes.map((x) => x.name)).toContain(`${stack}_vol`);
    expect(await rt.removeNetwork(name)).toBe(true);
    expect(await rt.removeNetwork(name)).toBe(false);
    expect(await rt.removeVolume(`${stack}_vol`)).toBe(true);
    expect(await rt.removeVolume(`${stack}_vol`)).toBe(false);
  });

  it('refuses a network or volume of that name another stackd cluster made (two clusters sharing an engine)', async () => {
    const net = `${stack}_theirs`;
    const owned = (cluster: string) => ({ 'io.stackd.cluster': cluster });
    const netSettings = (cluster: string) => {
      const s = networkSettings(stack, { name: net, driver_opts: {}, external: false, labels: {} });
      return { ...s, labels: { ...s.labels, ...owned(cluster) } };
    };
    const volSettings = (cluster: string) => {
      const s = volumeSettings(stack, { name: `${stack}_theirs`, driver_opts: {}, external: false, labels: {} });
      return { ...s, labels: { ...s.labels, ...owned(cluster) } };
    };
    const id = await rt.ensureNetwork(net, netSettings('c-a'));
    expect(await rt.ensureNetwork(net, netSettings('c-a'))).toBe(id);
    await expect(rt.ensureNetwork(net, netSettings('c-b'))).rejects.toThrow(
      `network ${net} on ${rt.endpoint} belongs to another stackd cluster (io.stackd.cluster=c-a): clusters sharing an engine need different stack, network and volume names (rename the stack, or run it on other nodes)`,
    );
    await rt.ensureVolume(`${stack}_theirs`, volSettings('c-a'));
    await rt.ensureVolume(`${stack}_theirs`, volSettings('c-a'));
    await expect(rt.ensureVolume(`${stack}_theirs`, volSettings('c-b'))).rejects.toThrow(
      `volume ${stack}_theirs on ${rt.endpoint} belongs to another stackd cluster (io.stackd.cluster=c-a)`,
    );
    expect(await rt.removeNetwork(net)).toBe(true);
    expect(await rt.removeVolume(`${stack}_theirs`)).toBe(true);
  });

  it('refuses to remove a volume in use, in one line', async () => {
    const t = newTask('holder', service({ command: ['true'], volumes: [{ type: 'volume', source: 'data', target: '/data', read_only: false }] }));
    const id = await rt.createContainer(containerCreateOptions(t, ctx));
    await expect(rt.removeVolume(ctx.volumeNames.data)).rejects.toThrow(new RegExp(`^remove volume ${ctx.volumeNames.data}: .*in use`));
    await rt.remove(id);
  });
});

describe('an unreachable engine', () => {
  const gone = DockerRuntime.connect('unix:///run/stackd-no-such-engine.sock');

  it('fails each call with one line naming the socket', async () => {
    const err = await gone.engineInfo().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).unreachable).toBe(true);
    expect((err as Error).message).toBe('Docker Engine unreachable at unix:///run/stackd-no-such-engine.sock: connect ENOENT /run/stackd-no-such-engine.sock');
    await expect(gone.ensureImage('x')).rejects.toThrow('Docker Engine unreachable at unix:///run/stackd-no-such-engine.sock');
    await expect(gone.inspect('x')).rejects.toMatchObject({ unreachable: true });
    const probeErr = await new EngineProbe('unix:///run/stackd-no-such-engine.sock').engineInfo().catch((e: unknown) => e);
    expect(probeErr).toMatchObject({ unreachable: true, message: (err as Error).message });
  });

  it('keeps retrying the event stream with backoff', async () => {
    const seen: [string, number, number][] = [];
    const sub = gone
      .events$({ backoff: { delayMs: (k) => k * 10 }, onDisconnect: (e, attempt, delay) => seen.push([e.message, attempt, delay]) })
      .subscribe({ error: (e) => seen.push([`errored: ${e}`, 0, 0]) });
    while (seen.length < 3) await new Promise((r) => setTimeout(r, 20));
    sub.unsubscribe();
    expect(seen.slice(0, 3)).toEqual([1, 2, 3].map((k) => [expect.stringContaining('unix:///run/stackd-no-such-engine.sock'), k, k * 10]));
  });
});
