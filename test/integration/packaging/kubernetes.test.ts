// manifests/kubernetes, loaded with @kubernetes/client-node's YAML loader into its typed objects and
// checked against what stackd and etcd really take: three members whose --initial-cluster names are
// the headless Service's, the manager's flags as stackd's own command line parses them, probes on the
// ports and paths the daemon serves (asked for real), certificate files that are the Secret's keys,
// and image tags that are the versions built here.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { loadAllYaml, type KubernetesObject, type V1Container, type V1Probe, type V1Service, type V1StatefulSet, type V1Volume } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { buildProgram } from '../../../src/daemon/stackd.js';
import { startMetricsServer } from '../../../src/metrics/server.js';
import { openStore } from '../../../src/store/open.js';
import { ROOT, tempDir } from '../../helpers/cli.js';

const DIR = join(ROOT, 'manifests/kubernetes');
const objects: KubernetesObject[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => loadAllYaml(readFileSync(join(DIR, f), 'utf8')) as KubernetesObject[]);
const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as {
  resources: string[];
  secretGenerator: { name: string; files: string[] }[];
};
const sts = objects.find((o): o is V1StatefulSet => o.kind === 'StatefulSet')!;
const services = objects.filter((o): o is V1Service => o.kind === 'Service');
const pod = sts.spec!.template.spec!;
const container = (name: string): V1Container => pod.containers.find((c) => c.name === name)!;
const etcd = container('etcd');
const manager = container('manager');

/** `--name=value` flags of a container's args. */
function flags(c: V1Container): Map<string, string> {
  return new Map((c.args ?? []).filter((a) => a.startsWith('--')).map((a) => [a.slice(2).split('=')[0], a.includes('=') ? a.slice(a.indexOf('=') + 1) : 'true']));
}

/** A probe's port as a number (it may name a container port). */
function probePort(c: V1Container, probe: V1Probe | undefined): number {
  const port = probe!.httpGet!.port;
  return typeof port === 'number' ? port : c.ports!.find((p) => p.name === port)!.containerPort;
}

/** The secret volume mounted where `file` is, and the key that file is in the Secret. */
function secretKeyOf(c: V1Container, file: string): { volume: V1Volume; key: string } {
  const mount = c.volumeMounts!.find((m) => file.startsWith(`${m.mountPath}/`));
  expect(mount).toBeDefined();
  const volume = pod.volumes!.find((v) => v.name === mount!.name)!;
  const item = volume.secret?.items?.find((i) => join(mount!.mountPath, i.path) === file);
  expect(item).toBeDefined();
  return { volume, key: item!.key };
}

test('every file loads as typed Kubernetes objects, and kustomization lists them all', () => {
  expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).toEqual(['Namespace/stackd', 'Service/stackd', 'Service/stackd-client', 'StatefulSet/stackd']);
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
  expect([...kustomization.resources].sort()).toEqual(files.sort());
  for (const o of objects.filter((o) => o.kind !== 'Namespace')) expect(o.metadata?.namespace).toBe('stackd');
});

test('three members, started together, each an etcd with a stackd manager beside it', () => {
  expect(sts.spec!.replicas).toBe(3);
  expect(sts.spec!.podManagementPolicy).toBe('Parallel'); // OrderedReady would wait on a quorum that cannot form
  expect(pod.containers.map((c) => c.name)).toEqual(['etcd', 'manager']);
  expect(manager.args![0]).toBe('manager');
  expect(sts.spec!.selector.matchLabels).toEqual(sts.spec!.template.metadata!.labels);
  // the kubelet's SIGKILL must come after stackd's own 10 s shutdown grace
  expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(10);
});

test("--initial-cluster names exactly the headless Service's per-pod names and etcd's peer port", () => {
  const headless = services.find((s) => s.metadata!.name === sts.spec!.serviceName)!;
  expect(headless.spec!.clusterIP).toBe('None');
  expect(headless.spec!.publishNotReadyAddresses).toBe(true); // peers must resolve before any is ready
  expect(headless.spec!.selector).toEqual(sts.spec!.template.metadata!.labels);

  const f = flags(etcd);
  const peerPort = etcd.ports!.find((p) => p.name === 'peer')!.containerPort;
  const name = sts.metadata!.name!;
  const host = (pod: string) => `${pod}.${headless.metadata!.name}.$(POD_NAMESPACE).svc`;
  const members = Array.from({ length: sts.spec!.replicas! }, (_, i) => `${name}-${i}`);
  expect(f.get('initial-cluster')).toBe(members.map((m) => `${m}=https://${host(m)}:${peerPort}`).join(','));
  expect(f.get('name')).toBe('$(POD_NAME)');
  expect(f.get('initial-advertise-peer-urls')).toBe(`https://${host('$(POD_NAME)')}:${peerPort}`);
  expect(f.get('listen-peer-urls')).toBe(`https://0.0.0.0:${peerPort}`);
  // $(VAR) in args is expanded only from the container's own env
  const env = new Map(etcd.env!.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]));
  expect(env.get('POD_NAME')).toBe('metadata.name');
  expect(env.get('POD_NAMESPACE')).toBe('metadata.namespace');
  // each Service port targets a port some container has
  const named = new Set(pod.containers.flatMap((c) => c.ports!.map((p) => p.name)));
  for (const s of services) for (const p of s.spec!.ports!) expect(named).toContain(p.targetPort);
});

test("the manager's flags are stackd's own (parsed by its command line) and point at its member", async () => {
  const program = buildProgram();
  let parsed: Record<string, unknown> | undefined;
  program.commands
    .find((c) => c.name() === 'manager')!
    .action((_opts, cmd) => {
      parsed = cmd.optsWithGlobals();
    });
  await program.parseAsync(['node', 'stackd', ...manager.args!]);
  const clientPort = etcd.ports!.find((p) => p.name === 'client')!.containerPort;
  expect(parsed).toMatchObject({ store: `etcds://127.0.0.1:${clientPort}`, metricsListen: `:${manager.ports!.find((p) => p.name === 'metrics')!.containerPort}` });
  expect(flags(etcd).get('listen-client-urls')).toBe(`https://0.0.0.0:${clientPort}`);
});

test('probes point at the ports the daemons listen on, and the daemon answers 200 on those paths', async () => {
  const listen = flags(manager).get('metrics-listen')!;
  expect(probePort(manager, manager.livenessProbe)).toBe(Number(listen.split(':').pop()));
  expect(probePort(manager, manager.readinessProbe)).toBe(Number(listen.split(':').pop()));
  expect(manager.livenessProbe!.httpGet!.path).toBe('/healthz');
  expect(manager.readinessProbe!.httpGet!.path).toBe('/readyz');
  // etcd's /health over plain HTTP on --listen-metrics-urls (the kubelet has no client certificate)
  expect(flags(etcd).get('listen-metrics-urls')).toBe(`http://0.0.0.0:${probePort(etcd, etcd.livenessProbe)}`);
  expect(etcd.livenessProbe!.httpGet!.path).toBe('/health');

  // the real metrics server on the embedded store answers the manager's probe paths
  const store = await openStore(`sqlite://${join(tempDir('stackd-k8s-'), 'state.db')}`);
  const server = await startMetricsServer('127.0.0.1:0', store);
  try {
    const { port } = server.address() as AddressInfo;
    for (const probe of [manager.livenessProbe!, manager.readinessProbe!]) {
      expect((await fetch(`http://127.0.0.1:${port}${probe.httpGet!.path}`)).status).toBe(200);
    }
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await store.close();
  }
});

test("every certificate and key file a flag names is a key of the Secret kustomize generates from make-certs.sh's files", () => {
  const fileFlags: [V1Container, string][] = [
    [manager, 'store-cacert'],
    [manager, 'store-cert'],
    [manager, 'store-key'],
    [manager, 'encryption-key-file'],
    [etcd, 'trusted-ca-file'],
    [etcd, 'cert-file'],
    [etcd, 'key-file'],
    [etcd, 'peer-trusted-ca-file'],
    [etcd, 'peer-cert-file'],
    [etcd, 'peer-key-file'],
  ];
  const generated = new Map(kustomization.secretGenerator.map((g) => [g.name, g.files.map((f) => (f.includes('=') ? f.split('=')[0] : basename(f)))]));
  for (const [c, flag] of fileFlags) {
    const file = flags(c).get(flag)!;
    const { volume, key } = secretKeyOf(c, file);
    expect(generated.get(volume.secret!.secretName!)).toContain(key);
  }
  // and every key the volumes project exists in the Secret (a missing one fails the pod's start)
  for (const v of pod.volumes!.filter((v) => v.secret)) {
    expect(generated.get(v.secret!.secretName!)!.sort()).toEqual(v.secret!.items!.map((i) => i.key).sort());
  }
  // the files hack/make-certs.sh writes, bar the CA's key
  const certFiles = kustomization.secretGenerator.find((g) => g.name === 'stackd-tls')!.files;
  expect(certFiles.map((f) => basename(f)).sort()).toEqual(['ca.crt', 'client.crt', 'client.key', 'server.crt', 'server.key']);
  expect(readFileSync(join(ROOT, 'hack/make-certs.sh'), 'utf8')).toMatch(/sign server etcd[\s\S]*sign client stackd/);
});

test('image tags are the versions hack/build-image.sh builds: package.json and the installed etcd', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  expect(manager.image).toBe(`stackd/stackd:${version}`);
  const { stdout } = await promisify(execFile)('etcd', ['--version']);
  expect(etcd.image).toBe(`stackd/etcd:${/etcd Version: (\S+)/.exec(stdout)![1]}`);
  for (const c of pod.containers) expect(c.imagePullPolicy).toBe('IfNotPresent'); // no registry: loaded on each node
});
