// Runs a StatefulSet's pods on the Docker Engine the way a kubelet would, as far as these manifests
// need: one network namespace per pod (its first container's; the others join it), the headless
// Service's names as network aliases (stackd-N.<service>.<namespace>.svc per pod, and the service
// name for all of them), $(VAR) in args expanded from the container's env (fieldRef metadata.name
// and .namespace), secret volumes as read-only folders holding their projected items, emptyDir and
// volume claims as tmpfs, readOnlyRootFilesystem / dropped capabilities / no privilege escalation.
// A test tool, not a Kubernetes: no scheduling, no restarts, no probes (the test asks them itself).
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1StatefulSet } from '@kubernetes/client-node';

export interface PodPlan {
  /** the pod's name, stackd-N */
  name: string;
  /** `docker run` argument lists, one per container, the first one owning the network namespace */
  runs: { container: string; dockerName: string; args: string[] }[];
}

/** $(VAR) references expanded as the kubelet does, from the container's env. */
export function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
}

function containerEnv(c: V1Container, pod: string, namespace: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    env[e.name] = field === 'metadata.name' ? pod : field === 'metadata.namespace' ? namespace : expand(e.value ?? '', env);
  }
  return env;
}

/**
 * The docker runs of pod `ordinal`. `secrets` maps a Secret's name to a folder holding its keys as
 * files; each secret volume becomes a folder under `workDir` with only its items, at their paths.
 */
export function planPod(sts: V1StatefulSet, ordinal: number, opts: { network: string; prefix: string; secrets: Record<string, string>; workDir: string }): PodPlan {
  const namespace = sts.metadata!.namespace ?? 'default';
  const name = `${sts.metadata!.name}-${ordinal}`;
  const spec = sts.spec!.template.spec!;
  const service = sts.spec!.serviceName!;
  const volumeArgs = new Map<string, (mountPath: string, readOnly: boolean) => string[]>();
  for (const v of spec.volumes ?? []) {
    if (v.secret) {
      const dir = join(opts.workDir, name, v.name);
      mkdirSync(dir, { recursive: true });
      for (const item of v.secret.items ?? []) {
        copyFileSync(join(opts.secrets[v.secret.secretName!], item.key), join(dir, item.path));
        chmodSync(join(dir, item.path), v.secret.defaultMode ?? 0o644);
      }
      volumeArgs.set(v.name, (path) => ['-v', `${dir}:${path}:ro`]);
    } else if (v.emptyDir) {
      volumeArgs.set(v.name, (path) => ['--tmpfs', path]);
    }
  }
  for (const claim of sts.spec!.volumeClaimTemplates ?? []) volumeArgs.set(claim.metadata!.name!, (path) => ['--tmpfs', path]);

  const runs = spec.containers.map((c, i) => {
    const env = containerEnv(c, name, namespace);
    const dockerName = `${opts.prefix}-${name}-${c.name}`;
    const first = `${opts.prefix}-${name}-${spec.containers[0].name}`;
    const net =
      i === 0
        ? ['--network', opts.network, '--hostname', name, '--network-alias', `${name}.${service}.${namespace}.svc`, '--network-alias', `${service}.${namespace}.svc`]
        : ['--network', `container:${first}`];
    const sc = c.securityContext;
    const security = [
      ...(sc?.readOnlyRootFilesystem ? ['--read-only'] : []),
      ...(sc?.allowPrivilegeEscalation === false ? ['--security-opt', 'no-new-privileges'] : []),
      ...(sc?.capabilities?.drop ?? []).flatMap((cap) => ['--cap-drop', cap]),
    ];
    const mounts = (c.volumeMounts ?? []).flatMap((m) => volumeArgs.get(m.name)!(m.mountPath, m.readOnly ?? false));
    const args = [
      'run',
      '-d',
      '--name',
      dockerName,
      '--label',
      `io.stackd.test=${opts.prefix}`,
      ...net,
      ...security,
      ...mounts,
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      ...(c.command ? ['--entrypoint', c.command[0]] : []),
      c.image!,
      ...(c.command?.slice(1) ?? []),
      ...(c.args ?? []).map((a) => expand(a, env)),
    ];
    return { container: c.name, dockerName, args };
  });
  return { name, runs };
}
