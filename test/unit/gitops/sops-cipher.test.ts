import { formatGoFloat, macBytes } from '../../../src/gitops/sops/cipher.js';
import { flatten, isEncryptedPath, unflatten } from '../../../src/gitops/sops/metadata.js';

test("floats are formatted as Go's strconv.FormatFloat(v, 'f', -1, 64)", () => {
  const cases: Array<[number, string]> = [
    [3.14, '3.14'],
    [7, '7'],
    [-0.5, '-0.5'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e-10, '-0.00000000025'],
    [1.2345e22, '12345000000000000000000'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ];
  expect(cases.map(([v]) => formatGoFloat(v))).toEqual(cases.map(([, s]) => s));
});

test('MAC bytes of booleans are Go-style True/False', () => {
  expect([macBytes(true), macBytes(false), macBytes('x'), macBytes(Buffer.from([0xff]))].map((b) => b.toString('latin1'))).toEqual(['True', 'False', 'x', '\xff']);
});

test("sops's encryption rules: suffixes and regexes anywhere on the path", () => {
  expect(isEncryptedPath(['db', 'password'], { unencrypted_suffix: '_unencrypted' })).toBe(true);
  expect(isEncryptedPath(['db_unencrypted', 'password'], { unencrypted_suffix: '_unencrypted' })).toBe(false);
  expect(isEncryptedPath(['db', 'pw_enc'], { encrypted_suffix: '_enc' })).toBe(true);
  expect(isEncryptedPath(['db', 'pw'], { encrypted_suffix: '_enc' })).toBe(false);
  expect(isEncryptedPath(['data', 'x'], { encrypted_regex: '^(data|stringData)$' })).toBe(true);
  expect(isEncryptedPath(['metadata', 'name'], { encrypted_regex: '^(data|stringData)$' })).toBe(false);
  expect(isEncryptedPath(['PUBLIC_url'], { unencrypted_regex: '(?i)^public' })).toBe(false);
});

test('dotenv metadata flattens and unflattens as sops writes it', () => {
  const meta = {
    age: [
      { recipient: 'age1x', enc: 'a\nb' },
      { recipient: 'age1y', enc: 'c' },
    ],
    mac: 'M',
    version: '3.8.1',
  };
  const flat = flatten(meta);
  expect(flat.map(([k]) => k)).toEqual([
    'age__list_0__map_recipient',
    'age__list_0__map_enc',
    'age__list_1__map_recipient',
    'age__list_1__map_enc',
    'mac',
    'version',
  ]);
  expect(unflatten(flat)).toEqual(meta);
});
