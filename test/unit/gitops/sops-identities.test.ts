import { inspect } from 'node:util';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { loadAgeIdentities } from '../../../src/gitops/sops/index.js';

test('SOPS_AGE_KEY holds several keys between comments and blank lines; duplicates count once', async () => {
  const [a, b] = [await generateX25519Identity(), await generateX25519Identity()];
  const ids = await loadAgeIdentities({ env: { SOPS_AGE_KEY: `# created: today\n${a}\n\n  ${b}  \n${a}\n` } });
  expect(ids.recipients).toEqual([await identityToRecipient(a), await identityToRecipient(b)]);
  expect(ids.sources).toEqual(['SOPS_AGE_KEY']);
  expect(ids.size).toBe(2);
});

test('printing, logging or JSON-encoding identities never shows a secret key', async () => {
  const key = await generateX25519Identity();
  const ids = await loadAgeIdentities({ env: { SOPS_AGE_KEY: key } });
  const recipient = await identityToRecipient(key);
  for (const shown of [inspect(ids, { showHidden: true, depth: null }), JSON.stringify(ids), String(ids)]) {
    expect(shown).not.toContain('AGE-SECRET-KEY');
  }
  expect(inspect(ids)).toBe(`AgeIdentities(${recipient})`);
});

test('a line that is not a key is named by source and line, without echoing it', async () => {
  const key = await generateX25519Identity();
  const broken = `${key.slice(0, -3)}QQQ`;
  const err = await loadAgeIdentities({ env: { SOPS_AGE_KEY: `${key}\n${broken}` } }).catch((e: Error) => e);
  expect((err as Error).message).toBe('SOPS_AGE_KEY:2: not an age secret key (expected AGE-SECRET-KEY-1...)');
});

test('a key file that does not exist is an error naming it', async () => {
  await expect(loadAgeIdentities({ file: '/nonexistent/keys.txt', env: {} })).rejects.toThrow('/nonexistent/keys.txt: cannot read the age key file: ENOENT');
  await expect(loadAgeIdentities({ env: { SOPS_AGE_KEY_FILE: '/nonexistent/k2.txt' } })).rejects.toThrow('/nonexistent/k2.txt: cannot read');
});

test('nothing configured gives an empty set', async () => {
  expect((await loadAgeIdentities({ env: {} })).size).toBe(0);
});
