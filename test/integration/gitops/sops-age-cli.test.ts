// Cross-check with the real age tools (Debian's `age`): keys made by age-keygen load and decrypt our
// sops files, and the data key we wrap opens with `age --decrypt` itself.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { decryptSops, loadAgeIdentities } from '../../../src/gitops/sops/index.js';
import { encryptSops } from '../../helpers/sops-encrypt.js';

const dir = mkdtempSync(join(tmpdir(), 'stackd-sops-'));
const keyFile = join(dir, 'keys.txt');
let recipient: string;
beforeAll(() => {
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'pipe' });
  recipient = execFileSync('age-keygen', ['-y', keyFile]).toString().trim();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('an age-keygen key file decrypts a sops file encrypted to its recipient', async () => {
  const enc = await encryptSops(Buffer.from('db:\n  password: hunter2\n'), 'secrets/db.yaml', [recipient]);
  const ids = await loadAgeIdentities({ file: keyFile, env: {} });
  expect(ids.recipients).toEqual([recipient]);
  expect(parse((await decryptSops(enc, 'secrets/db.yaml', ids)).toString())).toEqual({ db: { password: 'hunter2' } });

  // the armored data key in the metadata is a real age file: age itself opens it to 32 bytes
  const stanza = (parse(enc.toString()) as { sops: { age: Array<{ enc: string }> } }).sops.age[0].enc;
  writeFileSync(join(dir, 'datakey.age'), stanza);
  const dataKey = execFileSync('age', ['--decrypt', '-i', keyFile, join(dir, 'datakey.age')]);
  expect(dataKey.length).toBe(32);
});

test('SOPS_AGE_KEY_FILE names the key file, as with sops', async () => {
  const enc = await encryptSops(Buffer.from('TOKEN=abc\n'), '.env', [recipient]);
  const ids = await loadAgeIdentities({ env: { SOPS_AGE_KEY_FILE: keyFile } });
  expect((await decryptSops(enc, '.env', ids)).toString()).toBe('TOKEN=abc\n');
});

test('with nothing set, keys come from $XDG_CONFIG_HOME/sops/age/keys.txt, as sops looks', async () => {
  const config = join(dir, 'config');
  mkdirSync(join(config, 'sops', 'age'), { recursive: true });
  execFileSync('age-keygen', ['-o', join(config, 'sops', 'age', 'keys.txt')], { stdio: 'pipe' });
  const fallback = await loadAgeIdentities({ env: { XDG_CONFIG_HOME: config } });
  expect(fallback.sources).toEqual([join(config, 'sops', 'age', 'keys.txt')]);
  expect(fallback.size).toBe(1);
  const explicit = await loadAgeIdentities({ env: { XDG_CONFIG_HOME: config, SOPS_AGE_KEY_FILE: keyFile } });
  expect(explicit.recipients).toEqual([recipient]);
});
