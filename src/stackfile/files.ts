// Reading the files a stack file names, safely: only regular files, at most `maxBytes`, within a
// time limit, so /dev/zero, a FIFO or a 600 MB file is refused in milliseconds (the GitOps manager
// reads files from repositories it does not control). Text files must be valid UTF-8.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** What a file may be read for, and its size cap. */
export const LIMITS = {
  /** a stack file: real ones are a few KB; a generated one with hundreds of services stays far below */
  stackFile: 2 * 1024 * 1024,
  /** .env, --env-file and env_file */
  envFile: 1024 * 1024,
  /** configs and secrets: Swarm's cap (500 KB) */
  fileObject: 500 * 1024,
} as const;

export const READ_TIMEOUT_MS = 5000;

/** A file that exists but must not be read: the message says why (one line). */
export class FileRefusedError extends Error {
  override name = 'FileRefusedError';
}

/**
 * Reads `file`: undefined when it does not exist or cannot be opened; a FileRefusedError when it is
 * not a regular file, is larger than `maxBytes`, or does not finish reading in time.
 */
export async function readBounded(file: string, maxBytes: number, timeoutMs = READ_TIMEOUT_MS): Promise<Buffer | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FileRefusedError(`reading it took longer than ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return await Promise.race([readCapped(file, maxBytes), timeout]);
  } catch (err) {
    if (err instanceof FileRefusedError) throw err;
    return undefined; // EIO and the like: cannot be read
  } finally {
    clearTimeout(timer);
  }
}

async function readCapped(file: string, maxBytes: number): Promise<Buffer | undefined> {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever
  const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY).catch(() => undefined);
  if (!fh) return undefined;
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new FileRefusedError(`not a regular file (${kind(st)})`);
    if (st.size > maxBytes) throw new FileRefusedError(tooLarge(maxBytes, st.size));
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, null);
      if (bytesRead === 0) break;
      got += bytesRead;
      // the file grew while being read
      if (got > maxBytes) throw new FileRefusedError(tooLarge(maxBytes, got));
      if (got === buf.length) break;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

export function tooLarge(maxBytes: number, size: number): string {
  return `${size} bytes, more than the ${formatSize(maxBytes)} allowed`;
}

function formatSize(n: number): string {
  if (n >= 1024 * 1024) return `${Math.floor(n / 1024 / 1024)} MB`;
  if (n >= 1024) return `${Math.floor(n / 1024)} KB`;
  return `${n} bytes`;
}

function kind(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** Where a text is not UTF-8: 1-based line and column of the first bad byte. */
export interface BadUtf8 {
  line: number;
  col: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The text of a UTF-8 file (a BOM is dropped), or where the first byte that is not UTF-8 is. */
export function decodeUtf8(data: Buffer): { text: string } | { bad: BadUtf8 } {
  try {
    return { text: decoder.decode(data) };
  } catch {
    const at = firstBadByte(data);
    const before = new TextDecoder('utf-8').decode(data.subarray(0, at));
    const lines = before.split('\n');
    return { bad: { line: lines.length, col: [...lines[lines.length - 1]].length + 1 } };
  }
}

/** Offset of the first byte that does not belong to a valid UTF-8 sequence. */
function firstBadByte(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
    }
    // overlong 3- and 4-byte forms, surrogates and code points above U+10FFFF
    if (n === 2 && ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] > 0x9f))) return i;
    if (n === 3 && ((c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] > 0x8f))) return i;
    i += n + 1;
  }
  return b.length;
}
