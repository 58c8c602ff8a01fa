import { randomBytes } from 'node:crypto';
import { keyId, parseKeyFile, Sealer } from '../../../src/store/sealer.js';
import { openValue, sealValue, valueKeyId } from '../../../src/store/sealed-values.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const line = (k: Buffer) => k.toString('base64');

describe('encryption keys and sealed values', () => {
  it('reads one base64 32-byte key per line, skipping blanks and comments; the first seals', () => {
    const keys = parseKeyFile(`# new\n${line(k2)}\n\n  ${line(k1)}\n`, 'keys');
    expect(keys.map((k) => k.id)).toEqual([keyId(k2), keyId(k1)]);
    expect(keyId(k1)).toMatch(/^[0-9a-f]{8}$/);
  });

  it.each([
    [`${line(k1)}\nnot base64!\n`, 'keys:2:1: not base64 (make a key with: head -c 32 /dev/urandom | base64)'],
    [`  ${Buffer.alloc(16).toString('base64')}`, 'keys:1:3: a key is 32 bytes, this one is 16 (make one with: head -c 32 /dev/urandom | base64)'],
    ['# nothing\n', 'keys:1:1: no key (one base64 32-byte key per line; the first encrypts)'],
  ])('refuses %j naming file:line:col', (text, message) => {
    expect(() => parseKeyFile(text, 'keys')).toThrow(message);
  });

  const obj = JSON.stringify({ kind: 'Secret', metadata: { name: 's', namespace: 'app' }, spec: { data: Buffer.from('hunter2').toString('base64'), sha256: 'ab' } });

  it('seals the spec only, under the first key, and any listed key opens it', () => {
    const sealed = sealValue(new Sealer(parseKeyFile(line(k1), 'f')), '/stackd/secrets/app/s', obj);
    expect(sealed).not.toContain(Buffer.from('hunter2').toString('base64'));
    expect(JSON.parse(sealed).metadata).toEqual({ name: 's', namespace: 'app' });
    expect(valueKeyId(sealed)).toBe(keyId(k1));
    const both = new Sealer(parseKeyFile(`${line(k2)}\n${line(k1)}`, 'f'));
    expect(openValue(both, '/stackd/secrets/app/s', sealed)).toBe(obj);
    expect(valueKeyId(obj)).toBeUndefined();
    expect(openValue(both, '/k', obj)).toBe(obj); // plain values pass
  });

  it('refuses a value moved to another key, a missing key, and no key at all, in one line each', () => {
    const sealed = sealValue(new Sealer(parseKeyFile(line(k1), 'f')), '/stackd/secrets/app/s', obj);
    expect(() => openValue(new Sealer(parseKeyFile(line(k1), 'f')), '/stackd/secrets/app/other', sealed)).toThrow(
      `/stackd/secrets/app/other does not decrypt with key ${keyId(k1)}: it was altered, or moved from another key`,
    );
    expect(() => openValue(new Sealer(parseKeyFile(line(k2), 'f'), 'f'), '/x', sealed)).toThrow(
      `/x is encrypted with key ${keyId(k1)}, which is not in f (keys ${keyId(k2)})`,
    );
    expect(() => openValue(new Sealer([]), '/x', sealed)).toThrow(
      `/x is encrypted (key ${keyId(k1)}): give the key file with --encryption-key-file or STACKD_ENCRYPTION_KEY_FILE`,
    );
  });
});
