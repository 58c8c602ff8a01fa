// The loader's reads: every file goes through a ReadFile with its size cap, and every problem
// (missing, refused, too large, not UTF-8) becomes one Problem with a position.
import { type Loc, type Path, type Problem, problemAt } from './errors.js';
import { FileRefusedError, LIMITS, decodeUtf8, readBounded, tooLarge } from './files.js';

/**
 * Reads a file of at most `maxBytes`: undefined when it does not exist or cannot be read; may throw
 * FileRefusedError (not a regular file, too large, too slow). Readers that ignore `maxBytes` are
 * still held to it after the read.
 */
export type ReadFile = (file: string, maxBytes: number) => Promise<Buffer | undefined>;

export const readFromDisk: ReadFile = (file, maxBytes) => readBounded(file, maxBytes);

export type ReadKind = keyof typeof LIMITS;

/** Where a problem with the file is reported: the reference to it, or the file itself. */
export interface ReadAt {
  loc: Loc;
  path: Path;
  /** what to say when the file is missing */
  missing: string;
  /** the problem is reported at the file itself: its name is not repeated in the message */
  self?: boolean;
}

export type ReadResult<T> = { ok: true; value: T } | { ok: false; problem: Problem; missing: boolean };

export async function readData(read: ReadFile, file: string, kind: ReadKind, at: ReadAt): Promise<ReadResult<Buffer>> {
  const fail = (message: string, missing = false): ReadResult<Buffer> => ({
    ok: false,
    missing,
    problem: problemAt(at.loc, at.path, message),
  });
  const max = LIMITS[kind];
  const named = at.self ? '' : `${file}: `;
  let data: Buffer | undefined;
  try {
    data = await read(file, max);
  } catch (err) {
    if (err instanceof FileRefusedError) return fail(`${named}${err.message}`);
    throw err;
  }
  if (data === undefined) return fail(at.missing, true);
  if (data.length > max) return fail(`${named}${tooLarge(max, data.length)}`);
  return { ok: true, value: data };
}

/** A text file (stack file, .env, env_file): its bytes must be UTF-8; a bad byte is reported where it is. */
export async function readText(read: ReadFile, file: string, kind: ReadKind, at: ReadAt): Promise<ReadResult<string>> {
  const r = await readData(read, file, kind, at);
  if (!r.ok) return r;
  const decoded = decodeUtf8(r.value);
  if ('text' in decoded) return { ok: true, value: decoded.text };
  const { line, col } = decoded.bad;
  return { ok: false, missing: false, problem: problemAt({ file, line, col }, [], 'not valid UTF-8') };
}

/** The file itself, for problems about a whole file. */
export function fileStart(file: string, missing: string): ReadAt {
  return { loc: { file, line: 1, col: 1 }, path: [], missing, self: true };
}
