// The whole stack file as written: top-level keys, networks, volumes, configs and secrets.
import { z, type ZodError } from 'zod';
import { bool, either, errorMap, field, labels, str, strictObject } from './fields.js';
import { type ParsedService, serviceSchema } from './schema-service.js';
import type { Issue } from './errors.js';

/** `external: true`, or the legacy `external: {name: x}`. */
const external = either(bool.transform((b) => ({ external: b })), strictObject({ name: str }).transform(({ name }) => ({ external: true, name })));

const common = { name: str.optional(), external: external.optional(), labels: labels.optional() };
const driver = { driver: str.optional(), driver_opts: labels.optional() };

const networkSchema = strictObject(
  { ...common, ...driver, internal: bool.optional(), attachable: bool.optional() },
  { unsupported: { ipam: "networks get their addresses from Docker's default pools", enable_ipv6: 'not implemented' } },
);
const volumeSchema = strictObject({ ...common, ...driver });
const NO_INLINE = 'write the content in a file and use file:';
const fileObjectSchema = strictObject(
  { ...common, file: str.optional() },
  {
    unsupported: { content: NO_INLINE, environment: NO_INLINE, template_driver: 'not implemented', driver: 'not implemented' },
  },
);

const version = field('a version string', (v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined));

/** Everything but the services, which are parsed one by one so that the valid ones can still be checked. */
const topSchema = strictObject(
  {
    version: version.optional(),
    name: str.optional(),
    services: z.record(z.unknown()),
    networks: z.record(networkSchema.nullable()).nullish(),
    volumes: z.record(volumeSchema.nullable()).nullish(),
    configs: z.record(fileObjectSchema.nullable()).nullish(),
    secrets: z.record(fileObjectSchema.nullable()).nullish(),
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
  for (const [name, raw] of Object.entries(rawServices)) {
    const r = serviceSchema.safeParse(raw, { errorMap, path: ['services', name] });
    services[name] = r.success ? r.data : undefined;
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
