// Durations and byte sizes as Compose writes them. Durations are kept as canonical strings in the
// normalized spec ("1m30s", "500ms", "0s") so the printed stack reads like the file.

const DURATION_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, ns: 0.000001 };
/** Docker and Go keep durations as int64 nanoseconds: about 292 years. */
export const MAX_DURATION_MS = Math.floor((2 ** 63 - 1) / 1e6);
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/gy;

/** `1m30s` → 90000. A number without a unit is an error (except `0`), as in Go's time.ParseDuration. */
export function parseDuration(input: string | number): number {
  const s = String(input).trim();
  if (s === '0') return 0;
  if (/^\d+(\.\d+)?$/.test(s)) throw new Error(`durations need a unit (e.g. "${s}s"), got ${JSON.stringify(input)}`);
  if (s === '') throw new Error('expected a duration like "1m30s", got ""');
  let total = 0;
  DURATION_PART.lastIndex = 0;
  let end = 0;
  for (let m = DURATION_PART.exec(s); m; m = DURATION_PART.exec(s)) {
    total += Number(m[1]) * DURATION_UNITS[m[2] === 'µs' ? 'us' : m[2]];
    end = DURATION_PART.lastIndex;
  }
  if (end !== s.length) throw new Error(`expected a duration like "1m30s" or "500ms", got ${JSON.stringify(input)}`);
  if (!(total <= MAX_DURATION_MS)) throw new Error(`duration ${JSON.stringify(input)} is out of range (at most ${formatDuration(MAX_DURATION_MS)})`);
  return Math.round(total);
}

/** 90000 → "1m30s"; 500 → "500ms"; 0 → "0s". Zero parts are left out ("1h", "1h30s"). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`not a duration: ${ms}`);
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of ['h', 'm', 's', 'ms']) {
    const size = DURATION_UNITS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** Milliseconds of a canonical (or any valid) duration string. */
export function durationMs(canonical: string): number {
  return parseDuration(canonical);
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "512M" → 536870912, "1g", "100k", "1.5gb", or a plain number of bytes. Units are binary, as Docker's. */
export function parseBytes(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0) throw new Error(`expected a byte size, got ${input}`);
    if (!Number.isSafeInteger(input)) throw new Error(`byte size ${input} is out of range`);
    return input;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$/i.exec(input);
  if (!m || (!m[2] && (m[1].includes('.') || (m[3] !== '' && m[3].toLowerCase() !== 'b')))) {
    throw new Error(`expected a byte size like "512M" or "1g", got ${JSON.stringify(input)}`);
  }
  const n = Math.floor(Number(m[1]) * BYTE_UNITS[m[2].toLowerCase()]);
  if (!Number.isSafeInteger(n)) throw new Error(`byte size ${JSON.stringify(input)} is out of range`);
  return n;
}
