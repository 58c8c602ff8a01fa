// One service as written (after canonical.ts turned list-or-map fields into maps).
import { z } from 'zod';
import { bool, bytes, countUpTo, duration, either, field, fileMode, int, labels, oneOf, record, str, strList, strMap, strictObject, words } from './fields.js';
import { MAX_REPLICAS, cpus, deploySchema, healthcheckSchema } from './schema-deploy.js';
import { portItem, volumeItem } from './schema-ports.js';

/** Compose keys stackd refuses, and why: ignoring them would silently change what runs (the keys it
 *  ignores with a warning are in ignored.ts; the compose-spec schema refuses everything else). */
const UNSUPPORTED: Record<string, string> = {
  volumes_from: 'share a named volume between the services instead',
  memswap_limit: 'not implemented',
  cpu_shares: 'use deploy.resources',
  cpu_quota: 'use deploy.resources',
  cpu_period: 'use deploy.resources',
  cpuset: 'not implemented',
};

/** pid and ipc: the host's namespace or the task's own; a task cannot join another service's (they run on other nodes). */
const namespaceMode = (modes: string[]) =>
  field(`one of ${modes.map((m) => `"${m}"`).join(', ')}`, (v) => {
    if (typeof v !== 'string') return undefined;
    if (/^(service|container):/.test(v)) throw new Error(`"${v}": a service's tasks run on different nodes and cannot share a namespace with another service`);
    return modes.includes(v) ? v : undefined;
  });

/** `tmpfs: /run` or `[/run, "/tmp:size=64m"]`: container paths, each with its mount options. */
const tmpfs = field('a path or a list of paths', (v) =>
  typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined,
);

const restart = field('one of "no", "always", "on-failure[:N]", "unless-stopped"', (v) =>
  typeof v === 'string' && /^(no|always|unless-stopped|on-failure(:\d{1,9})?)$/.test(v) ? v : v === false ? 'no' : undefined,
);

const build = strictObject(
  { context: str, dockerfile: str.optional(), args: labels.optional(), target: str.optional(), labels: labels.optional() },
  {
    unsupported: {
      secrets: 'not implemented',
      ssh: 'not implemented',
      dockerfile_inline: 'write the Dockerfile in the build context',
      additional_contexts: 'not implemented',
    },
  },
);

const fileRef = either(
  str.transform((source) => ({ source })),
  strictObject({ source: str, target: str.optional(), uid: str.optional(), gid: str.optional(), mode: fileMode.optional() }),
);

const dependsOn = strictObject({
  condition: oneOf('service_started', 'service_healthy', 'service_completed_successfully').optional(),
  required: bool.optional(),
});

/** `extra_hosts` as a list ("host:ip" or "host=ip") or a map (host: ip). */
const extraHosts = field('a list of "host:ip" or a map', (v) => {
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((h) => h.replace('=', ':'));
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v).map(([host, ip]) => `${host}:${String(ip)}`);
  }
  return undefined;
});

/** `env_file: a.env` or `[a.env, {path: b.env, required: false, format: raw}]` (canonical.ts made it a list). */
const envFileItem = either(
  str.transform((p) => ({ path: p, required: true, raw: false })),
  strictObject({ path: str, required: bool.optional(), format: oneOf('raw').optional() }).transform((e) => ({
    path: e.path,
    required: e.required ?? true,
    raw: e.format === 'raw',
  })),
);

/** `expose: ["3000", "8000-8010/udp"]`: container ports other services may reach (not published). */
const exposeItem = field('a port like "3000" or "8000-8010/udp"', (v) => {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string') return undefined;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/.exec(s.trim());
  const [lo, hi] = [Number(m?.[1]), Number(m?.[2] ?? m?.[1])];
  if (!m || lo < 1 || hi > 65535 || hi < lo) throw new Error(`invalid port ${JSON.stringify(s)}: expected a port like "3000" or "8000-8010/udp"`);
  return s.trim();
});

const ulimit = either(
  int.transform((n) => ({ soft: n, hard: n })),
  strictObject({ soft: int, hard: int }).transform(({ soft, hard }) => ({ soft, hard })),
);

export const serviceSchema = strictObject(
  {
    image: str.optional(),
    build: build.optional(),
    command: words.optional(),
    entrypoint: words.optional(),
    environment: strMap.optional(),
    env_file: z.array(envFileItem).optional(),
    ports: z.array(portItem).optional(),
    expose: z.array(exposeItem).optional(),
    volumes: z.array(volumeItem).optional(),
    networks: record(strictObject({ aliases: strList.optional() }).nullable()).optional(),
    labels: labels.optional(),
    healthcheck: healthcheckSchema.optional(),
    stop_grace_period: duration.optional(),
    stop_signal: str.optional(),
    init: bool.optional(),
    user: str.optional(),
    working_dir: str.optional(),
    hostname: str.optional(),
    depends_on: record(dependsOn.nullable()).optional(),
    configs: z.array(fileRef).optional(),
    secrets: z.array(fileRef).optional(),
    deploy: deploySchema.optional(),
    restart: restart.optional(),
    profiles: strList.optional(),
    container_name: str.optional(),
    network_mode: str.optional(),
    privileged: bool.optional(),
    cap_add: strList.optional(),
    cap_drop: strList.optional(),
    devices: strList.optional(),
    extra_hosts: extraHosts.optional(),
    dns: strList.optional(),
    sysctls: labels.optional(),
    ulimits: record(ulimit).optional(),
    shm_size: bytes.optional(),
    tty: bool.optional(),
    runtime: str.optional(),
    pid: namespaceMode(['host']).optional(),
    ipc: namespaceMode(['host', 'private', 'shareable', 'none']).optional(),
    security_opt: strList.optional(),
    read_only: bool.optional(),
    userns_mode: oneOf('host').optional(),
    cgroup_parent: str.optional(),
    group_add: strList.optional(),
    tmpfs: tmpfs.optional(),
    // Compose's service-level resources: read into deploy.resources (normalize-service.ts)
    cpus: cpus.optional(),
    mem_limit: bytes.optional(),
    mem_reservation: bytes.optional(),
    pids_limit: int.optional(),
    scale: countUpTo(MAX_REPLICAS).optional(),
    stdin_open: bool.optional(),
    'x-stackd': strictObject({ progress_deadline: duration.optional(), revision_history_limit: countUpTo(1000).optional() }).optional(),
  },
  { extensions: true, unsupported: UNSUPPORTED },
);

export type ParsedService = z.output<typeof serviceSchema>;
