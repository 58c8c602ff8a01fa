// Service ports and volumes: short strings ("127.0.0.1:8000-8001:80-81/udp", "./data:/data:ro")
// and long maps, both read into the long form.
import type { MountSpec, PortSpec } from './types.js';
import { bool, bytes, either, field, fileMode, oneOf, str, strictObject } from './fields.js';

function portRange(s: string, what: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  const lo = Number(m?.[1]);
  const hi = m?.[2] === undefined ? lo : Number(m[2]);
  if (!m || lo < 1 || hi > 65535 || hi < lo) throw new Error(`invalid ${what} port ${JSON.stringify(s)}`);
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/** "[host_ip:][published[-end]:]target[-end][/protocol]" → one PortSpec per port of the range. */
export function parseShortPort(input: string | number): PortSpec[] {
  const s = String(input).trim();
  const [spec, protocol = 'tcp', ...extra] = s.split('/');
  if (extra.length > 0 || (protocol !== 'tcp' && protocol !== 'udp')) {
    throw new Error(`invalid port ${JSON.stringify(s)}: protocol must be tcp or udp`);
  }
  let hostIp: string | undefined;
  let rest = spec;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(spec);
  if (v6) [, hostIp, rest] = v6;
  const parts = rest.split(':');
  const target = portRange(parts.pop() ?? '', 'target');
  const publishedText = parts.pop();
  if (parts.length > 0) hostIp = parts.join(':');
  const published = publishedText ? portRange(publishedText, 'published') : [];
  if (published.length > 0 && published.length !== target.length) {
    throw new Error(`invalid port ${JSON.stringify(s)}: published and target ranges must have the same size`);
  }
  return target.map((t, i) => ({
    target: t,
    ...(published.length > 0 ? { published: published[i] } : {}),
    protocol: protocol as PortSpec['protocol'],
    mode: 'ingress' as const,
    ...(hostIp ? { host_ip: hostIp } : {}),
  }));
}

const portNumber = field('a port number (1-65535)', (v) => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
});

const longPort = strictObject({
  target: portNumber,
  published: portNumber.optional(),
  protocol: oneOf('tcp', 'udp').optional(),
  mode: oneOf('ingress', 'host').optional(),
  host_ip: str.optional(),
}).transform((p): PortSpec[] => [
  {
    target: p.target,
    ...(p.published !== undefined ? { published: p.published } : {}),
    protocol: p.protocol ?? 'tcp',
    mode: p.mode ?? 'ingress',
    ...(p.host_ip ? { host_ip: p.host_ip } : {}),
  },
]);

const shortPort = field('a port like "8080:80"', (v) => (typeof v === 'string' || typeof v === 'number' ? parseShortPort(v) : undefined));
export const portItem = either(shortPort, longPort);

const PROPAGATION = ['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate'];

/** "[source:]target[:ro|rw|nocopy|z|Z|<propagation>,...]"; a source starting with . / ~ is a bind. */
export function parseShortVolume(s: string): MountSpec {
  const parts = s.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new Error(`invalid volume ${JSON.stringify(s)}`);
  const [source, target, options = ''] = parts.length === 1 ? [undefined, parts[0]] : parts;
  const opts = options ? options.split(',') : [];
  const bad = opts.find((o) => !['ro', 'rw', 'nocopy', 'z', 'Z', ...PROPAGATION].includes(o));
  if (bad) throw new Error(`invalid volume ${JSON.stringify(s)}: unknown option ${JSON.stringify(bad)}`);
  const isBind = source !== undefined && /^[./~]/.test(source);
  const propagation = opts.find((o) => PROPAGATION.includes(o));
  const mount: MountSpec = {
    type: isBind ? 'bind' : 'volume',
    ...(source !== undefined ? { source } : {}),
    target,
    read_only: opts.includes('ro'),
  };
  // like Compose, a short-syntax bind creates a missing host directory
  if (isBind) mount.bind = { create_host_path: true, ...(propagation ? { propagation } : {}) };
  else if (opts.includes('nocopy')) mount.volume = { nocopy: true };
  return mount;
}

const longVolume = strictObject(
  {
    type: oneOf('bind', 'volume', 'tmpfs'),
    source: str.optional(),
    target: str,
    read_only: bool.optional(),
    bind: strictObject({ propagation: oneOf(...PROPAGATION).optional(), create_host_path: bool.optional() }).optional(),
    volume: strictObject({ nocopy: bool.optional() }, { unsupported: { subpath: 'needs Docker Engine 26 (API 1.45)', labels: 'not implemented' } }).optional(),
    tmpfs: strictObject({ size: bytes.optional(), mode: fileMode.optional() }).optional(),
  },
  { unsupported: { image: 'needs Docker Engine 28 (API 1.48)' } },
)
  .superRefine((m, ctx) => {
    if (m.type === 'bind' && !m.source) ctx.addIssue({ code: 'custom', path: ['source'], message: 'a bind mount needs a source' });
    if (m.type === 'tmpfs' && m.source) ctx.addIssue({ code: 'custom', path: ['source'], message: 'a tmpfs mount has no source' });
  })
  .transform((m): MountSpec => {
    const { extensions: _ignored, read_only, bind, volume, tmpfs, ...rest } = m;
    return {
      ...rest,
      read_only: read_only ?? false,
      ...(bind ? { bind: stripExtensions(bind) } : {}),
      ...(volume ? { volume: stripExtensions(volume) } : {}),
      ...(tmpfs ? { tmpfs: stripExtensions(tmpfs) } : {}),
    };
  });

function stripExtensions<T extends { extensions?: unknown }>(o: T): Omit<T, 'extensions'> {
  const { extensions: _ignored, ...rest } = o;
  return rest;
}

const shortVolume = field('a volume like "./data:/data:ro"', (v) => (typeof v === 'string' ? parseShortVolume(v) : undefined));
export const volumeItem = either(shortVolume, longVolume);

/** Port ranges expand to one entry per port: a stack's ports are bounded before they are expanded. */
export const MAX_PORTS = 65_536;

/** How many ports a `ports:` item stands for, without expanding it (anything else counts 1). */
export function portCount(item: unknown): number {
  if (typeof item !== 'string') return 1;
  const target = item.split('/')[0].split(':').pop() ?? '';
  const m = /^\s*(\d+)-(\d+)\s*$/.exec(target);
  return m ? Math.max(1, Number(m[2]) - Number(m[1]) + 1) : 1;
}
