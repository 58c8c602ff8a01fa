// SOPS's value cipher: AES-256-GCM with a 32-byte nonce, one value at a time, the value's path as
// additional data, written as `ENC[AES256_GCM,data:...,iv:...,tag:...,type:str]` (sops aes/cipher.go).
import { createCipheriv, createDecipheriv, createHash, randomBytes, type Hash } from 'node:crypto';

/** A plaintext leaf: what a YAML/JSON/dotenv value decrypts to (Buffer only for binary files). */
export type Plain = string | number | boolean | Buffer;

/** The sops type tag of an encrypted value. */
export type ValueType = 'str' | 'int' | 'float' | 'bool' | 'bytes' | 'time' | 'comment';

const ENC_RE = /^ENC\[AES256_GCM,data:([A-Za-z0-9+/=]*),iv:([A-Za-z0-9+/=]+),tag:([A-Za-z0-9+/=]+),type:([a-z]+)\]$/;

export function isEncryptedValue(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('ENC[AES256_GCM,');
}

/** The additional data of the value at `path` (sops: strings.Join(path, ":") + ":"). */
export function additionalData(path: readonly string[]): string {
  return `${path.join(':')}:`;
}

/**
 * The MAC's hash: SHA-512, upper-case hex of it encrypted with `lastmodified` as additional data.
 * With mac_only_encrypted sops first feeds it sha256("sops"), so the two kinds of MAC never agree.
 */
export function newMacHash(macOnlyEncrypted = false): Hash {
  const hash = createHash('sha512');
  if (macOnlyEncrypted) hash.update(createHash('sha256').update('sops').digest());
  return hash;
}

/** The bytes sops feeds its MAC for a value (sops.ToBytes): Go's formatting of ints, floats, bools. */
export function macBytes(v: Plain): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'boolean') return Buffer.from(v ? 'True' : 'False');
  if (typeof v === 'number') return Buffer.from(formatGoFloat(v));
  return Buffer.from(v, 'utf8');
}

/** strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatGoFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const s = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expText] = m;
  const digits = lead + frac;
  const point = 1 + Number(expText); // position of the decimal point within digits
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function typeOf(v: Plain): ValueType {
  if (Buffer.isBuffer(v)) return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'str';
}

/** Encrypts one value; an empty string stays empty, as sops leaves it. */
export function encryptValue(v: Plain, key: Buffer, aad: string, type: ValueType = typeOf(v)): string {
  const plain = macBytes(v);
  if (plain.length === 0 && type === 'str') return '';
  const iv = randomBytes(32);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([c.update(plain), c.final()]);
  const b64 = (b: Buffer) => b.toString('base64');
  return `ENC[AES256_GCM,data:${b64(data)},iv:${b64(iv)},tag:${b64(c.getAuthTag())},type:${type}]`;
}

export interface Decrypted {
  type: ValueType;
  /** the plaintext bytes, exactly as encrypted */
  raw: Buffer;
  /** the typed value (raw for a binary file's data is in `raw`) */
  value: Plain;
}

/** Decrypts one value; throws a short message (no key material) on a malformed value or a wrong tag. */
export function decryptValue(enc: string, key: Buffer, aad: string): Decrypted {
  if (enc === '') return { type: 'str', raw: Buffer.alloc(0), value: '' };
  const m = ENC_RE.exec(enc);
  if (!m) throw new Error('malformed encrypted value');
  const [, data, iv, tag, type] = m;
  let raw: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    raw = Buffer.concat([d.update(Buffer.from(data, 'base64')), d.final()]);
  } catch {
    throw new Error('value does not decrypt (corrupt, or moved to another key)');
  }
  return { type: type as ValueType, raw, value: typedValue(raw, type) };
}

function typedValue(raw: Buffer, type: string): Plain {
  const text = raw.toString('utf8');
  switch (type) {
    case 'str':
    case 'time':
    case 'comment':
      return text;
    case 'bytes':
      return raw;
    case 'int':
    case 'float': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw new Error(`value of type ${type} is not a number`);
      return n;
    }
    case 'bool':
      if (/^(true|True|TRUE|1|t|T)$/.test(text)) return true;
      if (/^(false|False|FALSE|0|f|F)$/.test(text)) return false;
      throw new Error('value of type bool is not a boolean');
    default:
      throw new Error(`unknown value type ${type}`);
  }
}
