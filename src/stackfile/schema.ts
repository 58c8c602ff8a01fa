// The whole stack file as written: top-level keys, networks, volumes, configs and secrets.
import { z, type ZodError } from 'zod';
import { bool, either, errorMap, field, labels, record, str, strictObject } from './fields.js';
import { type ParsedService, serviceSchema } from './schema-service.js';
import type { Issue } from './errors.js';
import { setOwn } from './safe.js';
import { MAX_PORTS, portCount } from './schema-ports.js';
import { subnetProblem } from '../net/ipam.js';

/** `external: true`, or the legacy `external: {name: x}`. */
const external = either(
  bool.transform((b) => ({ external: b })),
  strictObject({ name: str }).transform(({ name }) => ({ external: true, name })),
);

const common = { name: str.optional(), external: external.optional(), labels: labels.optional() };
const driver = { driver: str.optional(), driver_opts: labels.optional() };

const subnet = field('an IPv4 subnet', (v) => {
  if (typeof v !== 'string') return undefined;
  const problem = subnetProblem(v);
  if (problem) throw new Error(problem);
  return v;
});
const ipamSchema = strictObject({ driver: str.optional(), config: z.array(strictObject({ subnet })).max(1, 'one subnet per network').optional() });
const networkSchema = strictObject({ ...common, ...driver, internal: bool.optional(), attachable: bool.optional(), ipam: ipamSchema.optional() });
const volumeSchema = strictObject({ ...common, ...driver });
const NO_INLINE = 'write the content in a file and use file:';
const fileObjectSchema = strictObject(
  { ...common, file: str.optional() },
  {
    unsupported: {
      content: NO_INLINE,
      environment: NO_INLINE,
      template_driver: 'not implemented',
      driver: 'not implemented',
      driver_opts: 'not implemented',
    },
  },
);

const version = field('a version string', (v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined));

/** Everything but the services, which are parsed one by one so that the valid ones can still be checked. */
const topSchema = strictObject(
  {
    version: version.optional(),
    name: str.optional(),
    services: record(z.unknown()),
    networks: record(networkSchema.nullable()).nullish(),
    volumes: record(volumeSchema.nullable()).nullish(),
    configs: record(fileObjectSchema.nullable()).nullish(),
    secrets: record(fileObjectSchema.nullable()).nullish(),
  },
  { extensions: true, unsupported: { include: 'merge stack files with several -c options instead' } },
);

type ParsedTop = z.output<typeof topSchema>;
export type ParsedStack = Omit<ParsedTop, 'services'> & { services: Record<string, ParsedService> };
export type ParsedFileObject = z.output<typeof fileObjectSchema>;

/** What parsed: the top level (undefined if it did not) and each service (undefined if it did not). */
export interface ParsedParts {
  top?: Omit<ParsedTop, 'services'>;
  services: Record<string, ParsedService | undefined>;
  /** the services as written, for checks that only need their keys */
  rawServices: Record<string, unknown>;
}

export function parseStack(data: unknown): { stack?: ParsedStack; parts: ParsedParts; issues: Issue[] } {
  const issues: Issue[] = [];
  const top = topSchema.safeParse(data, { errorMap });
  if (!top.success) issues.push(...toIssues(top.error));
  const rawServices = servicesOf(data);
  const services: ParsedParts['services'] = {};
  const tooMany = portsOverBudget(rawServices);
  if (tooMany) return { parts: { services, rawServices }, issues: [...issues, tooMany] };
  for (const [name, raw] of Object.entries(rawServices)) {
    const r = serviceSchema.safeParse(raw, { errorMap, path: ['services', name] });
    setOwn(services, name, r.success ? r.data : undefined);
    if (!r.success) issues.push(...toIssues(r.error));
  }
  const parts: ParsedParts = { services, rawServices };
  if (top.success) {
    const { services: _raw, ...rest } = top.data;
    parts.top = rest;
    if (issues.length === 0) return { stack: { ...rest, services: services as Record<string, ParsedService> }, parts, issues };
  }
  return { parts, issues };
}

function portsOverBudget(rawServices: Record<string, unknown>): Issue | undefined {
  let total = 0;
  for (const [name, svc] of Object.entries(rawServices)) {
    const ports = isMap(svc) && Array.isArray(svc.ports) ? svc.ports : [];
    for (const [i, item] of ports.entries()) {
      total += portCount(item);
      if (total > MAX_PORTS) return { path: ['services', name, 'ports', i], message: `the stack has more than ${MAX_PORTS} ports` };
    }
  }
  return undefined;
}

function servicesOf(data: unknown): Record<string, unknown> {
  const services = isMap(data) ? data.services : undefined;
  return isMap(services) ? services : {};
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function toIssues(error: ZodError): Issue[] {
  return error.issues.map((i) => ({
    path: i.path,
    message: i.message,
    onKey: i.code === 'custom' && i.params?.onKey === true,
  }));
}
