// AES-256-GCM for values at rest, with key rotation as Kubernetes' EncryptionConfiguration does it:
// the first key seals, every listed key opens. A sealed value is one line of text:
//   stackd:aes256gcm:v1:<key id>:<base64 of 12-byte nonce | ciphertext | 16-byte tag>
// The store key is the additional authenticated data, so a sealed value copied to another key
// does not open there.
import { lazyRequire } from '../lazy-require.js';

// most commands open a Sealer without a key: node:crypto is loaded when a key is used
const crypto = lazyRequire<typeof import('node:crypto')>('node:crypto');

const PREFIX = 'stackd:aes256gcm:v1:';

export interface EncryptionKey {
  /** 8 hex of a hash of the key: names it in values and messages without revealing it */
  id: string;
  secret: Buffer;
}

/** A sealed value that cannot be opened here (no key file, or not the key it was sealed with). */
export class SealedValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedValueError';
  }
}

export function keyId(secret: Buffer): string {
  return crypto().createHash('sha256').update('stackd-encryption-key-id:').update(secret).digest('hex').slice(0, 8);
}

/** Parses a key file: one base64 32-byte key per line, blank lines and # comments skipped. Pure;
 *  throws one line naming file:line:col. */
export function parseKeyFile(text: string, file: string): EncryptionKey[] {
  const keys: EncryptionKey[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const col = raw.indexOf(line) + 1;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(line)) throw new Error(`${file}:${i + 1}:${col}: not base64 (make a key with: head -c 32 /dev/urandom | base64)`);
    const secret = Buffer.from(line, 'base64');
    if (secret.length !== 32)
      throw new Error(`${file}:${i + 1}:${col}: a key is 32 bytes, this one is ${secret.length} (make one with: head -c 32 /dev/urandom | base64)`);
    keys.push({ id: keyId(secret), secret });
  });
  if (keys.length === 0) throw new Error(`${file}:1:1: no key (one base64 32-byte key per line; the first encrypts)`);
  return keys;
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** The id of the key a sealed value was sealed with. */
export function sealedKeyId(value: string): string {
  return value.slice(PREFIX.length, value.indexOf(':', PREFIX.length));
}

export class Sealer {
  /** `keys[0]` seals; all open. Empty: this process has no key file. */
  constructor(
    readonly keys: EncryptionKey[],
    private readonly source = 'the key file',
  ) {}

  get primary(): EncryptionKey | undefined {
    return this.keys[0];
  }

  seal(plaintext: string, aad: string): string {
    const key = this.primary;
    if (!key) throw new SealedValueError('no encryption key');
    const { createCipheriv, randomBytes } = crypto();
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.secret, nonce);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([nonce, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${key.id}:${body.toString('base64')}`;
  }

  /** `what` names the value in errors ("/stackd/secrets/app/db-pass"). */
  open(sealed: string, aad: string, what = aad): string {
    const id = sealedKeyId(sealed);
    const key = this.keys.find((k) => k.id === id);
    if (!key) {
      if (this.keys.length === 0)
        throw new SealedValueError(`${what} is encrypted (key ${id}): give the key file with --encryption-key-file or STACKD_ENCRYPTION_KEY_FILE`);
      throw new SealedValueError(`${what} is encrypted with key ${id}, which is not in ${this.source} (keys ${this.keys.map((k) => k.id).join(', ')})`);
    }
    const body = Buffer.from(sealed.slice(PREFIX.length + id.length + 1), 'base64');
    try {
      const decipher = crypto().createDecipheriv('aes-256-gcm', key.secret, body.subarray(0, 12));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedValueError(`${what} does not decrypt with key ${id}: it was altered, or moved from another key`);
    }
  }
}
