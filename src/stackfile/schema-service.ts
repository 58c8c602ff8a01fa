// One service as written (after canonical.ts turned list-or-map fields into maps).
import { z } from 'zod';
import {
  bool, bytes, countUpTo, duration, either, field, fileMode, int, labels, oneOf, record, str, strList, strMap, strictObject, words,
} from './fields.js';
import { deploySchema, healthcheckSchema } from './schema-deploy.js';
import { portItem, volumeItem } from './schema-ports.js';

const RESOURCES = 'use deploy.resources';
/** Compose keys stackd rejects, and why (so nothing in a stack file is dropped in silence). */
const UNSUPPORTED: Record<string, string> = {
  links: "services reach each other by name on the stack's networks",
  external_links: 'reach containers outside the stack through an external network',
  volumes_from: 'share a named volume between the services instead',
  ipc: "a service's tasks run on different nodes and cannot share an IPC namespace",
  pid: "a service's tasks run on different nodes and cannot share a PID namespace",
  scale: 'use deploy.replicas',
  logging: "containers log through each node's Docker logging driver",
  expose: "services reach every port of each other on the stack's networks; use ports: to publish",
  extends: 'merge stack files with several -c options instead',
  mem_limit: RESOURCES, memswap_limit: RESOURCES, mem_reservation: RESOURCES, cpus: RESOURCES,
  cpu_shares: RESOURCES, cpu_quota: RESOURCES, cpu_period: RESOURCES, cpuset: RESOURCES, pids_limit: RESOURCES,
  security_opt: 'not implemented', cgroup_parent: 'not implemented', userns_mode: 'not implemented',
  read_only: 'not implemented', platform: 'images are run for the node they land on',
  pull_policy: 'nodes pull an image when they do not have it', runtime: 'not implemented',
  group_add: 'not implemented', domainname: 'not implemented', mac_address: 'not implemented',
  develop: 'not implemented', gpus: 'not implemented',
};

const restart = field('one of "no", "always", "on-failure[:N]", "unless-stopped"', (v) =>
  typeof v === 'string' && /^(no|always|unless-stopped|on-failure(:\d{1,9})?)$/.test(v) ? v : v === false ? 'no' : undefined,
);

const build = strictObject(
  { context: str, dockerfile: str.optional(), args: labels.optional(), target: str.optional(), labels: labels.optional() },
  { unsupported: { cache_from: 'not implemented', platforms: 'not implemented', secrets: 'not implemented', ssh: 'not implemented' } },
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
    stdin_open: bool.optional(),
    'x-stackd': strictObject({ progress_deadline: duration.optional(), revision_history_limit: countUpTo(1000).optional() }).optional(),
  },
  { extensions: true, unsupported: UNSUPPORTED },
);

export type ParsedService = z.output<typeof serviceSchema>;
