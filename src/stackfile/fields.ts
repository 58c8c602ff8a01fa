// Zod building blocks with the messages stackctl prints: `expected an integer, got "three"`,
// `unknown key, did you mean "image"?`, `not supported by stackd: <why>`.
import { z, type RefinementCtx, type ZodErrorMap, type ZodRawShape, type ZodType, type ZodTypeDef } from 'zod';
import { closest } from './suggest.js';
import { splitShellWords } from './shell-words.js';
import { formatDuration, parseBytes, parseDuration } from './units.js';

/** How a value reads in a message: "three" quoted, a map, a list, null. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return JSON.stringify(v);
}

const ARTICLE: Record<string, string> = { object: 'a map', array: 'a list', string: 'a string', number: 'a number', boolean: 'a boolean' };

/** Zod's own type errors in our words. */
export const errorMap: ZodErrorMap = (issue, ctx) => {
  if (issue.code === 'invalid_type') {
    if (ctx.data === undefined) return { message: 'required' };
    return { message: `expected ${ARTICLE[issue.expected] ?? issue.expected}, got ${describe(ctx.data)}` };
  }
  return { message: ctx.defaultError };
};

/** A field read by `parse`, which returns undefined (or throws with a message) for a bad value. */
export function field<T>(expected: string, parse: (v: unknown) => T | undefined) {
  return z.any().transform((v, ctx): T => {
    if (v === undefined) return fail(ctx, 'required');
    try {
      const out = parse(v);
      if (out !== undefined) return out;
      return fail(ctx, `expected ${expected}, got ${describe(v)}`);
    } catch (e) {
      return fail(ctx, (e as Error).message);
    }
  });
}

function fail(ctx: RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

const isText = (v: unknown): v is string | number => typeof v === 'string' || typeof v === 'number';

export const str = field('a string', (v) => (isText(v) ? String(v) : undefined));
export const int = field('an integer', (v) => {
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
});
export const count = int.transform((n, ctx) => (n >= 0 ? n : fail(ctx, `expected a non-negative integer, got ${n}`)));
export const num = field('a number', (v) => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
});
export const bool = field('true or false', (v) =>
  typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined,
);
export const duration = field('a duration like "1m30s"', (v) => (isText(v) ? formatDuration(parseDuration(v)) : undefined));
export const bytes = field('a byte size like "512M"', (v) => (isText(v) ? parseBytes(v) : undefined));
/** File modes: `0440` (read as octal by the YAML loader), "0440", "0o440" or a decimal number. */
export const fileMode = field('an octal file mode like 0440', (v) => {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o7777) return v;
  const m = typeof v === 'string' ? /^\s*0?o?([0-7]{1,4})\s*$/.exec(v) : null;
  return m ? parseInt(m[1], 8) : undefined;
});
export const strList = field('a list of strings', (v) =>
  Array.isArray(v) && v.every(isText) ? v.map(String) : undefined,
);
/** command and entrypoint: a list, or a string split into words like a shell would. */
export const words = field('a string or a list of strings', (v) =>
  typeof v === 'string' ? splitShellWords(v) : Array.isArray(v) && v.every(isText) ? v.map(String) : undefined,
);
/** Maps already made canonical (see canonical.ts): string values, null = pass through. */
export const strMap = field('a map of strings', (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? null : String(x)])) as Record<string, string | null>)
    : undefined,
);
export const labels = strMap.transform((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v ?? ''])));

/** A scalar read by `short`, a map by `long` (Compose's short and long syntax), with `long`'s own messages. */
export function either<A, B>(short: ZodType<A, ZodTypeDef, unknown>, long: ZodType<B, ZodTypeDef, unknown>) {
  return z.any().transform((v, ctx): A | B => {
    const isMap = v !== null && typeof v === 'object' && !Array.isArray(v);
    const r = (isMap ? long : short).safeParse(v, { errorMap });
    if (r.success) return r.data;
    for (const issue of r.error.issues) {
      const params = issue.code === 'custom' ? issue.params : undefined;
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, params });
    }
    return z.NEVER;
  });
}

export function oneOf<T extends string>(...values: T[]) {
  const list = values.map((v) => `"${v}"`).join(', ');
  return field(`one of ${list}`, (v) => (values.includes(v as T) ? (v as T) : undefined));
}

export interface ObjectOptions {
  /** key → why stackd rejects it */
  unsupported?: Record<string, string>;
  /** keep x-* keys in `extensions` (only where the normalized spec keeps them: top level and services) */
  extensions?: boolean;
}

/** A map with exactly these keys: an unknown key is an error with a "did you mean" suggestion. */
export function strictObject<S extends ZodRawShape>(shape: S, opts: ObjectOptions = {}) {
  const known = Object.keys(shape);
  const full = z.object({ ...shape, extensions: z.record(z.unknown()).optional() });
  return z.preprocess((v, ctx) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    const extensions: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) {
      if (known.includes(k)) out[k] = val;
      else if (opts.extensions && k.startsWith('x-')) extensions[k] = val;
      else ctx.addIssue({ code: 'custom', path: [k], params: { onKey: true }, message: unknownKey(k, known, opts) });
    }
    if (Object.keys(extensions).length > 0) out.extensions = extensions;
    return out;
  }, full);
}

function unknownKey(key: string, known: string[], opts: ObjectOptions): string {
  const why = opts.unsupported?.[key];
  if (why) return `not supported by stackd: ${why}`;
  const guess = closest(key, known);
  return guess ? `unknown key, did you mean "${guess}"?` : 'unknown key';
}
