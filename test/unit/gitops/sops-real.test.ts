// Files written by real sops 3.8.1 (test/fixtures/sops/ORIGIN.md): our reader must agree on every
// value and on the MAC, which proves test/helpers/sops-encrypt.ts writes the same format.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { decryptSops, isSopsEncrypted, loadAgeIdentities, type AgeIdentities } from '../../../src/gitops/sops/index.js';

const dir = join(process.cwd(), 'test/fixtures/sops');
const fixture = (name: string) => readFileSync(join(dir, name));
const expected = {
  secret: 'this is a secret',
  string: 'string',
  int: 7,
  float: 3.14,
  boolean: true,
  complex: { value: 'this is a secret', array: ['one', 'two', 'three'] },
};
let ids: AgeIdentities;

beforeAll(async () => {
  ids = await loadAgeIdentities({ file: join(dir, 'sops-age-key.txt'), env: {} });
});

test('the key file loads, comments skipped', () => {
  expect(ids.recipients).toEqual(['age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr']);
});

test.each(['secret.enc.yaml', 'secret.enc.json'])('%s decrypts with its MAC verified', async (name) => {
  expect(isSopsEncrypted(fixture(name), name)).toBe(true);
  const out = (await decryptSops(fixture(name), name, ids)).toString();
  expect(parse(out)).toEqual(expected);
  expect(out).not.toContain('sops');
});

test('secret.enc.env decrypts with its MAC verified', async () => {
  expect(isSopsEncrypted(fixture('secret.enc.env'), 'secret.enc.env')).toBe(true);
  const out = await decryptSops(fixture('secret.enc.env'), 'secret.enc.env', ids);
  expect(out.toString()).toBe('secret=this is a secret\nanother_secret=7\n');
});

test('reordering real ciphertexts within a list fails the MAC', async () => {
  const text = fixture('secret.enc.yaml').toString();
  const items = text.match(/^ {4}- ENC\[.*$/gm)!;
  const swapped = text.replace(items[0], '@@').replace(items[1], items[0]).replace('@@', items[1]);
  await expect(decryptSops(Buffer.from(swapped), 'secret.enc.yaml', ids)).rejects.toThrow('secret.enc.yaml: MAC mismatch');
});
