// One service in its long form, with Swarm's defaults explicit (see defaults.ts).
import * as path from 'node:path';
import {
  DEFAULT_FILE_MODE,
  DEFAULT_HEALTHCHECK,
  DEFAULT_PROGRESS_DEADLINE,
  DEFAULT_RESTART_POLICY,
  DEFAULT_STOP_GRACE_PERIOD,
  DEFAULT_UPDATE_CONFIG,
} from './defaults.js';
import type { NormalizeContext } from './normalize.js';
import { getOwn } from './safe.js';
import type { ParsedService } from './schema-service.js';
import type { DeploySpec, FileRefSpec, HealthcheckSpec, MountSpec, ResourcesSpec, RestartPolicySpec, ServiceSpec, UpdateConfigSpec } from './types.js';

type Ctx = Pick<NormalizeContext, 'projectDir' | 'homeDir' | 'envFiles'>;
type ParsedDeploy = NonNullable<ParsedService['deploy']>;

export function normalizeService(s: ParsedService, key: string, ctx: Ctx): ServiceSpec {
  const out: ServiceSpec = {
    environment: { ...getOwn(ctx.envFiles, key), ...s.environment },
    ports: (s.ports ?? []).flat(),
    volumes: (s.volumes ?? []).map((m) => mount(m, ctx)),
    networks: networks(s),
    labels: s.labels ?? {},
    stop_grace_period: s.stop_grace_period ?? DEFAULT_STOP_GRACE_PERIOD,
    depends_on: Object.fromEntries(
      Object.entries(s.depends_on ?? {}).map(([dep, d]) => [dep, { condition: d?.condition ?? 'service_started', required: d?.required ?? true }]),
    ),
    configs: (s.configs ?? []).map((r) => fileRef(r, '/')),
    secrets: (s.secrets ?? []).map((r) => fileRef(r, '/run/secrets/')),
    deploy: deploy(withServiceResources(s), s.restart),
    'x-stackd': {
      progress_deadline: s['x-stackd']?.progress_deadline ?? DEFAULT_PROGRESS_DEADLINE,
      ...(s['x-stackd']?.revision_history_limit !== undefined ? { revision_history_limit: s['x-stackd'].revision_history_limit } : {}),
    },
  };
  if (s.build) {
    const { extensions: _x, context, ...rest } = s.build;
    out.build = { context: isUrl(context) ? context : path.resolve(ctx.projectDir, context), ...rest };
  }
  if (s.healthcheck) out.healthcheck = healthcheck(s.healthcheck);
  const copied = [
    'image',
    'command',
    'entrypoint',
    'stop_signal',
    'init',
    'user',
    'working_dir',
    'hostname',
    'restart',
    'profiles',
    'container_name',
    'network_mode',
    'privileged',
    'cap_add',
    'cap_drop',
    'devices',
    'extra_hosts',
    'dns',
    'sysctls',
    'ulimits',
    'shm_size',
    'tty',
    'stdin_open',
    'expose',
    'runtime',
    'pid',
    'ipc',
    'security_opt',
    'read_only',
    'userns_mode',
    'cgroup_parent',
    'group_add',
    'tmpfs',
    'extensions',
  ] as const;
  for (const k of copied) if (s[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = s[k];
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b))) as unknown as ServiceSpec;
}

function isUrl(context: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@') || context.startsWith('github.com/');
}

function networks(s: ParsedService): ServiceSpec['networks'] {
  if (s.network_mode !== undefined) return {};
  const entries = Object.entries(s.networks ?? {});
  if (entries.length === 0) return { default: { aliases: [] } };
  return Object.fromEntries(entries.map(([n, v]) => [n, { aliases: v?.aliases ?? [] }]));
}

function mount(m: MountSpec, ctx: Ctx): MountSpec {
  if (m.type !== 'bind' || m.source === undefined) return m;
  const source = m.source === '~' || m.source.startsWith('~/') ? path.join(ctx.homeDir, m.source.slice(1)) : path.resolve(ctx.projectDir, m.source);
  return { ...m, source };
}

/** Short form target: /<source> for configs, /run/secrets/<source> for secrets; relative targets go there too. */
function fileRef(r: { source: string; target?: string; uid?: string; gid?: string; mode?: number }, dir: string): FileRefSpec {
  const target = r.target ?? r.source;
  return {
    source: r.source,
    target: target.startsWith('/') ? target : `${dir}${target}`,
    uid: r.uid ?? '0',
    gid: r.gid ?? '0',
    mode: r.mode ?? DEFAULT_FILE_MODE,
  };
}

function healthcheck(h: NonNullable<ParsedService['healthcheck']>): HealthcheckSpec {
  return {
    // [] = use the image's own test
    test: h.disable ? ['NONE'] : (h.test ?? []),
    interval: h.interval ?? DEFAULT_HEALTHCHECK.interval,
    timeout: h.timeout ?? DEFAULT_HEALTHCHECK.timeout,
    retries: h.retries ?? DEFAULT_HEALTHCHECK.retries,
    start_period: h.start_period ?? DEFAULT_HEALTHCHECK.start_period,
    ...(h.disable !== undefined ? { disable: h.disable } : {}),
  };
}

/** Compose's `cpus`, `mem_limit`, `mem_reservation`, `pids_limit` and `scale` where deploy: says nothing
 *  (check.ts refuses the two saying different things: which one was meant?). */
function withServiceResources(s: ParsedService): ParsedDeploy | undefined {
  const given = { cpus: s.cpus, memory: s.mem_limit, pids: s.pids_limit };
  if (Object.values(given).every((v) => v === undefined) && s.mem_reservation === undefined && s.scale === undefined) return s.deploy;
  const d = s.deploy ?? {};
  const limits = { ...dropUndefined(given), ...d.resources?.limits };
  const reservations = { ...dropUndefined({ memory: s.mem_reservation }), ...d.resources?.reservations };
  return { ...d, replicas: d.replicas ?? s.scale, resources: { ...d.resources, limits, reservations } };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function deploy(d: ParsedDeploy | undefined, restart: string | undefined): DeploySpec {
  const mode = d?.mode ?? 'replicated';
  const placement = d?.placement;
  return {
    mode,
    // a global service runs one task per node: replicas does not apply
    replicas: mode === 'global' ? 0 : (d?.replicas ?? 1),
    endpoint_mode: d?.endpoint_mode ?? 'vip',
    labels: d?.labels ?? {},
    placement: {
      constraints: placement?.constraints ?? [],
      preferences: (placement?.preferences ?? []).map(({ spread }) => ({ spread })),
      ...(placement?.max_replicas_per_node !== undefined ? { max_replicas_per_node: placement.max_replicas_per_node } : {}),
    },
    resources: { limits: resources(d?.resources?.limits), reservations: resources(d?.resources?.reservations) },
    restart_policy: restartPolicy(d?.restart_policy, restart),
    update_config: updateConfig(d?.update_config),
    rollback_config: updateConfig(d?.rollback_config),
  };
}

function resources(r: (ResourcesSpec & { extensions?: unknown }) | undefined): ResourcesSpec {
  const { extensions: _x, ...rest } = r ?? {};
  return rest;
}

function updateConfig(u: (Partial<UpdateConfigSpec> & { extensions?: unknown }) | undefined): UpdateConfigSpec {
  const { extensions: _x, ...given } = u ?? {};
  return { ...DEFAULT_UPDATE_CONFIG, ...given };
}

/** deploy.restart_policy, else Compose's `restart:` folded in, else Swarm's default (any). */
function restartPolicy(p: (Partial<RestartPolicySpec> & { extensions?: unknown }) | undefined, restart?: string): RestartPolicySpec {
  if (p) {
    const { extensions: _x, ...given } = p;
    return { ...DEFAULT_RESTART_POLICY, ...given };
  }
  if (restart === undefined) return { ...DEFAULT_RESTART_POLICY };
  if (restart === 'no') return { ...DEFAULT_RESTART_POLICY, condition: 'none' };
  const onFailure = /^on-failure(?::(\d+))?$/.exec(restart);
  if (onFailure) return { ...DEFAULT_RESTART_POLICY, condition: 'on-failure', max_attempts: Number(onFailure[1] ?? 0) };
  return { ...DEFAULT_RESTART_POLICY, condition: 'any' };
}
