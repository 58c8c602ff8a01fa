// manifests/compose used for real: `stackctl up` (on a bootstrap stackd with its own embedded store)
// runs the packaged etcd, manager and agent from the images hack/build-image.sh makes; a stack
// deployed from the host to the packaged etcd then converges on the engine through the packaged
// agent (a published port answers, a secret reaches the container through the agent's tmpfs
// volume); then everything is torn down.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, run } from '../../helpers/cli.js';
import { docker, eventually, freePort } from '../../helpers/stackd.js';
import { ComposeEnv } from '../compose/compose-env.js';

const LONG = 240_000;
const BUILD = 480_000; // a first image build on a loaded machine (2 min 17 s at load 30 here)
const exec = promisify(execFile);
const env = new ComposeEnv('pkc');
const project = env.project('pkc');
const app = env.project('pkapp');
const agentNode = env.unique('pkagent');
const file = join(ROOT, 'manifests/compose/compose.yaml');
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const certs = join(env.dir, 'certs');
let etcdPort = 0;
let appPort = 0;
let dataRoot = '';

/** The compose file's settings: this run's certificates, ports and node name. */
const composeEnv = () => ({ STACKD_TLS_DIR: certs, STACKD_ETCD_PORT: String(etcdPort), STACKD_AGENT_NODE: agentNode, DOCKER_DATA_ROOT: dataRoot });
/** stackctl from the host, pointed at the packaged etcd over TLS. */
const packaged = (args: string[]) =>
  run('stackctl', args, {
    STACKD_STORE: `etcds://127.0.0.1:${etcdPort}`,
    STACKD_STORE_CACERT: join(certs, 'ca.crt'),
    STACKD_STORE_CERT: join(certs, 'client.crt'),
    STACKD_STORE_KEY: join(certs, 'client.key'),
    NO_COLOR: '1',
  });

beforeAll(async () => {
  await exec('bash', [join(ROOT, 'hack/build-image.sh')], { timeout: BUILD });
  await exec('bash', [join(ROOT, 'hack/make-certs.sh'), certs, 'etcd']);
  [etcdPort, appPort] = [await freePort(), await freePort()];
  dataRoot = (await docker('info', '-f', '{{.DockerRootDir}}')).trim();
}, BUILD + 30_000);

afterAll(() => env.cleanup(), LONG);

test(
  'stackctl up runs the packaged etcd, manager and agent until all three are healthy',
  async () => {
    const up = await env.stackctl(['up', '-f', file, '-p', project, '-d', '--wait'], ROOT, composeEnv());
    if (up.code !== 0) throw new Error(`up exited ${up.code}\n${up.stdout}${up.stderr}\n${env.logTail()}`);
    const containers = await env.containers(project, false);
    const byService = Object.fromEntries(containers.map((c) => [c.Labels['io.stackd.service'], c]));
    expect(Object.keys(byService).sort()).toEqual(['agent', 'etcd', 'manager']);
    expect(byService.manager.Image).toBe(`stackd/stackd:${version}`);
    expect(byService.etcd.Image).toMatch(/^stackd\/etcd:3\./);
    for (const c of containers) expect((await env.docker.getContainer(c.Id).inspect()).State.Health?.Status).toBe('healthy');
  },
  LONG,
);

test(
  'a stack deployed from the host to the packaged etcd converges through the packaged agent',
  async () => {
    const nodes = await packaged(['node', 'ls', '--format', 'json']);
    expect(nodes.code).toBe(0);
    expect(JSON.parse(nodes.stdout)).toEqual([expect.objectContaining({ name: agentNode, status: 'Ready' })]);

    writeFileSync(join(env.dir, 'token.txt'), 'packaged-secret\n');
    writeFileSync(
      join(env.dir, 'app.yaml'),
      `services:
  web:
    image: stackd/busybox:latest
    command: [sh, -c, 'mkdir -p /www && cat /run/secrets/token > /www/index.html && exec httpd -f -p 80 -h /www']
    init: true
    ports: ["${appPort}:80"]
    secrets: [token]
secrets:
  token:
    file: ./token.txt
`,
    );
    const deploy = await packaged(['deploy', '-c', join(env.dir, 'app.yaml'), app]);
    if (deploy.code !== 0) throw new Error(`deploy exited ${deploy.code}\n${deploy.stdout}${deploy.stderr}`);
    expect(deploy.stderr).toContain(`${app}_web: 1/1 running: converged`); // the live view
    expect(deploy.stdout).toContain(`stack ${app} converged: 1 service(s) running`);

    const [web] = await env.containers(app, false);
    expect(web.Labels['io.stackd.node']).toBe(agentNode);
    const body = await eventually(async () => (await fetch(`http://127.0.0.1:${appPort}/`)).text());
    expect(body).toBe('packaged-secret\n');
    // the secret is bind-mounted from the agent's tmpfs volume, a path the engine itself resolves
    const mount = (await env.docker.getContainer(web.Id).inspect()).Mounts.find((m) => m.Destination === '/run/secrets/token');
    expect(mount?.Source.startsWith(join(dataRoot, 'volumes', `stackd-secrets-${agentNode}`, '_data'))).toBe(true);
  },
  LONG,
);

test(
  'rm then down: the stack, then the packaged control plane and its volumes are gone',
  async () => {
    expect((await packaged(['rm', app])).code).toBe(0);
    await eventually(async () => expect(await env.containers(app)).toEqual([]), 60_000);

    const down = await env.stackctl(['down', '-f', file, '-p', project, '-v'], ROOT, composeEnv());
    expect(down.code).toBe(0);
    expect(await env.containers(project)).toEqual([]);
    const { Volumes } = await env.docker.listVolumes({ filters: { label: [`io.stackd.stack=${project}`] } });
    expect(Volumes ?? []).toEqual([]);
    expect((await packaged(['--request-timeout', '2s', 'ls'])).code).toBe(1); // its etcd is gone
  },
  LONG,
);
