// Zod building blocks with the messages stackctl prints: `expected an integer, got "three"`,
// `unknown key, did you mean "image"?`, `not supported by stackd: <why>`.
import { z, type RefinementCtx, type ZodErrorMap, type ZodRawShape, type ZodType, type ZodTypeDef } from 'zod';
import { closest } from './suggest.js';
import { setOwn } from './safe.js';
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
/** Integers stay exact (beyond 2^53 a JavaScript number is not), as Docker's int64 fields need. */
export const int = field('an integer', (v) => {
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) return undefined;
  if (!Number.isSafeInteger(n)) throw new Error(`${String(v).trim()} is out of range`);
  return n;
});
/** Swarm's and Kubernetes' counts are 32-bit: larger ones are typos or attacks. */
export const INT32_MAX = 2_147_483_647;
/** An integer from 0 to `max`. */
export function countUpTo(max: number) {
  return int.transform((n, ctx) => (n >= 0 && n <= max ? n : fail(ctx, `expected an integer from 0 to ${max}, got ${n}`)));
}
export const count = countUpTo(INT32_MAX);
export const num = field('a number', (v) => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
});
/** A ratio from 0 to 1 (max_failure_ratio). */
export const ratio = num.transform((n, ctx) => (n >= 0 && n <= 1 ? n : fail(ctx, `expected a number from 0 to 1, got ${n}`)));
export const bool = field('true or false', (v) => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined));
export const duration = field('a duration like "1m30s"', (v) => (isText(v) ? formatDuration(parseDuration(v)) : undefined));
export const bytes = field('a byte size like "512M"', (v) => (isText(v) ? parseBytes(v) : undefined));
/** File modes: `0440` (read as octal by the YAML loader), "0440", "0o440" or a decimal number. */
export const fileMode = field('an octal file mode like 0440', (v) => {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o7777) return v;
  const m = typeof v === 'string' ? /^\s*0?o?([0-7]{1,4})\s*$/.exec(v) : null;
  return m ? parseInt(m[1], 8) : undefined;
});
export const strList = field('a list of strings', (v) => (Array.isArray(v) && v.every(isText) ? v.map(String) : undefined));
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
      if (known.includes(k)) setOwn(out, k, val);
      else if (opts.extensions && k.startsWith('x-')) setOwn(extensions, k, val);
      else ctx.addIssue({ code: 'custom', path: [k], params: { onKey: true }, message: unknownKey(k, known, opts) });
    }
    if (Object.keys(extensions).length > 0) out.extensions = extensions;
    return out;
  }, full);
}

function unknownKey(key: string, known: string[], opts: ObjectOptions): string {
  const why = opts.unsupported && Object.hasOwn(opts.unsupported, key) ? opts.unsupported[key] : undefined;
  if (why) return `not supported by stackd: ${why}`;
  const guess = closest(key, known);
  return guess ? `unknown key, did you mean "${guess}"?` : 'unknown key';
}

/** A map of names the user chose → values; every key is kept as data (zod's record drops `__proto__`). */
export function record<T>(value: ZodType<T, ZodTypeDef, unknown>) {
  return z.any().transform((v, ctx): Record<string, T> => {
    if (v === undefined) return fail(ctx, 'required');
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(ctx, `expected a map, got ${describe(v)}`);
    const out: Record<string, T> = {};
    let ok = true;
    for (const [k, x] of Object.entries(v)) {
      const r = value.safeParse(x, { errorMap });
      if (r.success) {
        setOwn(out, k, r.data);
        continue;
      }
      ok = false;
      for (const issue of r.error.issues) {
        const params = issue.code === 'custom' ? issue.params : undefined;
        ctx.addIssue({ code: 'custom', path: [k, ...issue.path], message: issue.message, params });
      }
    }
    return ok ? out : z.NEVER;
  });
}
