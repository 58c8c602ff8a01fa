// manifests/kubernetes run for real, as far as one Docker Engine can: the StatefulSet's three pods
// started by pod-runner.ts (a pod's network namespace, the headless Service's names, secret volumes
// from the files the kustomization's comment tells to make, read-only root file systems, no
// capabilities), with the locally built images. The etcd members form one cluster over peer TLS
// with the wildcard certificate, every probe the manifest declares answers 200 where it points,
// and exactly one manager leads.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadAllYaml, type KubernetesObject, type V1Container, type V1StatefulSet } from '@kubernetes/client-node';
import { ROOT, tempDir } from '../../helpers/cli.js';
import { docker, eventually } from '../../helpers/stackd.js';
import { planPod, type PodPlan } from './pod-runner.js';

const exec = promisify(execFile);
const BUILD = 480_000;
const DIR = join(ROOT, 'manifests/kubernetes');
const sts = (loadAllYaml(readFileSync(join(DIR, 'statefulset.yaml'), 'utf8')) as KubernetesObject[]).find((o): o is V1StatefulSet => o.kind === 'StatefulSet')!;
const prefix = `pkk8s${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
const work = tempDir('stackd-k8s-pods-');
let pods: PodPlan[] = [];

/** The names the kustomization's comment gives hack/make-certs.sh, as a shell would split them. */
function documentedCertNames(): string[] {
  const line = readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')
    .split('\n')
    .find((l) => l.includes('hack/make-certs.sh'))!;
  const args = line.slice(line.indexOf('make-certs.sh') + 'make-certs.sh'.length).match(/'[^']*'|\S+/g)!;
  return args.slice(1).map((a) => a.replace(/^'|'$/g, ''));
}

/** What a probe of `c` in pod `ip` answers. */
async function probe(ip: string, c: V1Container, kind: 'livenessProbe' | 'readinessProbe'): Promise<{ status: number; body: string }> {
  const get = c[kind]!.httpGet!;
  const port = typeof get.port === 'number' ? get.port : c.ports!.find((p) => p.name === get.port)!.containerPort;
  const res = await fetch(`http://${ip}:${port}${get.path}`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: await res.text() };
}

async function logs(): Promise<string> {
  const out: string[] = [];
  for (const run of pods.flatMap((p) => p.runs)) {
    const text = await exec('docker', ['logs', '--tail', '15', run.dockerName]).then(
      (r) => r.stdout + r.stderr,
      (e: Error) => e.message,
    );
    out.push(`--- ${run.dockerName} ---\n${text.trim()}`);
  }
  return out.join('\n');
}

beforeAll(async () => {
  await exec('bash', [join(ROOT, 'hack/build-image.sh')], { timeout: BUILD });
  const certs = join(work, 'certs');
  await exec('bash', [join(ROOT, 'hack/make-certs.sh'), certs, ...documentedCertNames()]);
  const keys = join(work, 'encryption');
  mkdirSync(keys);
  writeFileSync(join(keys, 'keys'), `${randomBytes(32).toString('base64')}\n`);
  await docker('network', 'create', '--label', `io.stackd.test=${prefix}`, prefix);
  pods = Array.from({ length: sts.spec!.replicas! }, (_, i) =>
    planPod(sts, i, { network: prefix, prefix, secrets: { 'stackd-tls': certs, 'stackd-encryption': keys }, workDir: work }),
  );
  for (const run of pods.flatMap((p) => p.runs)) await docker(...run.args);
}, BUILD + 60_000);

afterAll(async () => {
  const ids = (await docker('ps', '-aq', '--filter', `label=io.stackd.test=${prefix}`)).split('\n').filter(Boolean);
  if (ids.length) await docker('rm', '-f', '-v', ...ids);
  await docker('network', 'rm', prefix).catch(() => undefined);
}, 60_000);

test('the three members form one etcd cluster over peer TLS, every declared probe answers 200, one manager leads', async () => {
  const ips = await Promise.all(
    pods.map(async (p) => (await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${prefix}").IPAddress}}`, p.runs[0].dockerName)).trim()),
  );
  const containers = sts.spec!.template.spec!.containers;
  try {
    await eventually(
      async () => {
        for (const ip of ips) {
          for (const c of containers) {
            for (const kind of ['livenessProbe', 'readinessProbe'] as const) expect(await probe(ip, c, kind)).toMatchObject({ status: 200 });
          }
        }
      },
      120_000,
      1000,
    );
    const manager = containers.find((c) => c.name === 'manager')!;
    const leaders = await eventually(
      async () => {
        const bodies = await Promise.all(ips.map(async (ip) => (await probe(ip, manager, 'readinessProbe')).body));
        const leading = bodies.filter((b) => b.includes('leader: yes'));
        expect(leading).toHaveLength(1);
        return leading;
      },
      60_000,
      1000,
    );
    expect(leaders[0]).toContain('store etcds://127.0.0.1:2379: ok');
    // one raft group: every member lists all three, started from --initial-cluster
    const first = pods[0].runs[0].dockerName;
    const { stdout } = await exec('docker', [
      'exec',
      first,
      'etcdctl',
      '--endpoints=https://127.0.0.1:2379',
      '--cacert=/etc/stackd/tls/ca.crt',
      '--cert=/etc/stackd/tls/client.crt',
      '--key=/etc/stackd/tls/client.key',
      'member',
      'list',
    ]);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.split(', ')[2])
        .sort(),
    ).toEqual(pods.map((p) => p.name));
  } catch (err) {
    if (err instanceof Error) err.message += `\n${await logs()}`;
    throw err;
  }
}, 240_000);
