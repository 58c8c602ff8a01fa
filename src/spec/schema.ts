// The whole stack file as written: top-level keys, networks, volumes, configs and secrets.
import { z } from 'zod';
import { bool, either, errorMap, field, labels, str, strictObject } from './fields.js';
import { serviceSchema } from './schema-service.js';
import type { Issue } from './errors.js';

/** `external: true`, or the legacy `external: {name: x}`. */
const external = either(bool.transform((b) => ({ external: b })), strictObject({ name: str }).transform(({ name }) => ({ external: true, name })));

const common = { name: str.optional(), external: external.optional(), labels: labels.optional() };
const driver = { driver: str.optional(), driver_opts: labels.optional() };

const networkSchema = strictObject(
  { ...common, ...driver, internal: bool.optional(), attachable: bool.optional() },
  { extensions: true, unsupported: { ipam: "networks get their addresses from Docker's default pools", enable_ipv6: 'not implemented' } },
);
const volumeSchema = strictObject({ ...common, ...driver }, { extensions: true });
const NO_INLINE = 'write the content in a file and use file:';
const fileObjectSchema = strictObject(
  { ...common, file: str.optional() },
  {
    extensions: true,
    unsupported: { content: NO_INLINE, environment: NO_INLINE, template_driver: 'not implemented', driver: 'not implemented' },
  },
);

const version = field('a version string', (v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined));

export const stackSchema = strictObject(
  {
    version: version.optional(),
    name: str.optional(),
    services: z.record(serviceSchema),
    networks: z.record(networkSchema.nullable()).nullish(),
    volumes: z.record(volumeSchema.nullable()).nullish(),
    configs: z.record(fileObjectSchema.nullable()).nullish(),
    secrets: z.record(fileObjectSchema.nullable()).nullish(),
  },
  { extensions: true, unsupported: { include: 'merge stack files with several -c options instead' } },
);

export type ParsedStack = z.output<typeof stackSchema>;
export type ParsedFileObject = z.output<typeof fileObjectSchema>;

export function parseStack(data: unknown): { stack?: ParsedStack; issues: Issue[] } {
  const r = stackSchema.safeParse(data, { errorMap });
  if (r.success) return { stack: r.data, issues: [] };
  const issues = r.error.issues.map((i) => ({
    path: i.path,
    message: i.message,
    onKey: i.code === 'custom' && i.params?.onKey === true,
  }));
  return { issues };
}
