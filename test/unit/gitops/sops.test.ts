import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { parse } from 'yaml';
import { decryptSops, isSopsEncrypted, loadAgeIdentities, type AgeIdentities } from '../../../src/gitops/sops/index.js';
import { encryptSops } from '../../helpers/sops-encrypt.js';

let key: string;
let recipient: string;
let ids: AgeIdentities;

beforeAll(async () => {
  key = await generateX25519Identity();
  recipient = await identityToRecipient(key);
  ids = await loadAgeIdentities({ env: { SOPS_AGE_KEY: key } });
});

const yamlPlain = `db:
  user: app
  password: s3cret-pw
  port: 5432
  ratio: 0.25
  tls: true
  hosts:
    - a.example
    - b.example
  password_unencrypted: shown-in-git
cert: |
  -----BEGIN CERT-----
  line two
empty: ""
nothing: null
zip: "01234"
`;

const roundTrip = async (plain: string | Buffer, name: string) => decryptSops(await encryptSops(Buffer.from(plain), name, [recipient]), name, ids);

describe('round trips', () => {
  test('YAML: nested maps and lists, every scalar type, the sops block gone', async () => {
    const enc = await encryptSops(Buffer.from(yamlPlain), 'secrets/db.yaml', [recipient]);
    const text = enc.toString();
    expect(text).not.toContain('s3cret-pw');
    expect(text).not.toContain('a.example');
    expect(text).toMatch(/port: ENC\[AES256_GCM,data:[^,]+,iv:[^,]+,tag:[^,]+,type:int\]/);
    expect(text).toMatch(/ratio: ENC\[.*type:float\]/);
    expect(text).toMatch(/tls: ENC\[.*type:bool\]/);
    const out = await decryptSops(enc, 'secrets/db.yaml', ids);
    expect(parse(out.toString())).toEqual(parse(yamlPlain));
    expect(out.toString()).not.toContain('sops');
  });

  test('a key ending _unencrypted stays plain in the encrypted file', async () => {
    const enc = (await encryptSops(Buffer.from(yamlPlain), 'db.yaml', [recipient])).toString();
    expect(enc).toContain('password_unencrypted: shown-in-git');
    expect(enc).toContain('unencrypted_suffix: _unencrypted');
  });

  test('JSON keeps its key order, integer-like keys included', async () => {
    const plain = '{"z": "first", "10": "ten", "2": {"b": [1, "x", false], "a": 1.5}}';
    const out = (await roundTrip(plain, 'app.json')).toString();
    expect(JSON.parse(out)).toEqual(JSON.parse(plain));
    expect(out.indexOf('"z"')).toBeLessThan(out.indexOf('"10"'));
    expect(out.indexOf('"10"')).toBeLessThan(out.indexOf('"2"'));
  });

  test('JSON indented with tabs, as newer sops writes it, decrypts', async () => {
    const enc = await encryptSops(Buffer.from('{"db": {"pw": "x", "port": 5432}}'), 'a.json', [recipient]);
    const tabbed = Buffer.from(JSON.stringify(JSON.parse(enc.toString()), null, '\t'));
    expect(isSopsEncrypted(tabbed, 'a.json')).toBe(true);
    expect(JSON.parse((await decryptSops(tabbed, 'a.json', ids)).toString())).toEqual({ db: { pw: 'x', port: 5432 } });
  });

  test('dotenv: values with newlines and = signs, plain comments kept', async () => {
    const plain = '# database\nDB_PASSWORD=pa=ss\nMULTI=one\\ntwo\nAPI_TOKEN_unencrypted=public\n';
    const enc = (await encryptSops(Buffer.from(plain), 'stacks/web/.env', [recipient])).toString();
    expect(enc).toMatch(/^DB_PASSWORD=ENC\[/m);
    expect(enc).toMatch(/^sops_mac=ENC\[/m);
    expect(enc).toContain('API_TOKEN_unencrypted=public');
    expect((await decryptSops(Buffer.from(enc), 'stacks/web/.env', ids)).toString()).toBe(plain);
  });

  test('binary: any bytes come back exactly', async () => {
    const bytes = Buffer.from([0, 255, 254, 10, 0xc3, 0x28, 65]);
    const enc = await encryptSops(bytes, 'certs/key.p12', [recipient]);
    expect(Object.keys(JSON.parse(enc.toString()))).toEqual(['data', 'sops']);
    expect(await decryptSops(enc, 'certs/key.p12', ids)).toEqual(bytes);
  });

  test('encrypted_regex: only matching keys are encrypted', async () => {
    const enc = await encryptSops(Buffer.from('data:\n  pw: not-in-base64-x1\nname: visible\n'), 'a.yaml', [recipient], { encryptedRegex: '^data$' });
    expect(enc.toString()).toContain('name: visible');
    expect(enc.toString()).not.toContain('not-in-base64-x1');
    expect(parse((await decryptSops(enc, 'a.yaml', ids)).toString())).toEqual({ data: { pw: 'not-in-base64-x1' }, name: 'visible' });
  });

  test('comments sops encrypted are dropped, plain ones kept', async () => {
    const enc = (await encryptSops(Buffer.from('# plain note\na: b\n'), 'c.yaml', [recipient])).toString();
    const withEncComment = enc.replace('a: ENC', '#ENC[AES256_GCM,data:Zm9v,iv:aXY=,tag:dGFn,type:comment]\na: ENC');
    const out = (await decryptSops(Buffer.from(withEncComment), 'c.yaml', ids)).toString();
    expect(out).toBe('# plain note\na: b\n');
  });

  test('multi-document YAML: every document decrypts, one MAC over all', async () => {
    const plain = 'a: one\n---\nb: [two, 3]\n';
    const enc = await encryptSops(Buffer.from(plain), 'multi.yaml', [recipient]);
    expect(enc.toString().match(/^sops:/gm)).toHaveLength(2);
    expect(isSopsEncrypted(enc, 'multi.yaml')).toBe(true);
    const out = (await decryptSops(enc, 'multi.yaml', ids)).toString();
    expect(out.split(/^---$/m).map((d) => parse(d))).toEqual([{ a: 'one' }, { b: ['two', 3] }]);
    const [first, second] = enc.toString().split(/^---$/m);
    const reordered = Buffer.from(`${second.trimStart()}---\n${first}`);
    await expect(decryptSops(reordered, 'multi.yaml', ids)).rejects.toThrow('multi.yaml: MAC mismatch');
  });

  test('a YAML alias (never written by sops) is refused', async () => {
    const enc = (await encryptSops(Buffer.from('a: x\n'), 'a.yaml', [recipient])).toString();
    const aliased = enc.replace(/^a: /m, 'a: &v ').replace(/^sops:/m, 'b: *v\nsops:');
    await expect(decryptSops(Buffer.from(aliased), 'a.yaml', ids)).rejects.toThrow('a.yaml: b: YAML aliases are not supported');
  });

  test('a file encrypted to two recipients opens with either key', async () => {
    const other = await generateX25519Identity();
    const enc = await encryptSops(Buffer.from('a: b\n'), 'a.yaml', [await identityToRecipient(other), recipient]);
    const otherIds = await loadAgeIdentities({ env: { SOPS_AGE_KEY: other } });
    expect((await decryptSops(enc, 'a.yaml', otherIds)).toString()).toBe('a: b\n');
    expect((await decryptSops(enc, 'a.yaml', ids)).toString()).toBe('a: b\n');
  });
});

describe('failures name the file in one line', () => {
  test('a key that is not a recipient', async () => {
    const enc = await encryptSops(Buffer.from(yamlPlain), 'secrets/db.yaml', [recipient]);
    const stranger = await loadAgeIdentities({ env: { SOPS_AGE_KEY: await generateX25519Identity() } });
    await expect(decryptSops(enc, 'secrets/db.yaml', stranger)).rejects.toThrow(`secrets/db.yaml: no age identity matches recipients ${recipient}`);
  });

  test('no key at all says how to give one', async () => {
    const enc = await encryptSops(Buffer.from('a: b\n'), 'a.yaml', [recipient]);
    const none = await loadAgeIdentities({ env: {} });
    await expect(decryptSops(enc, 'a.yaml', none)).rejects.toThrow(/^a\.yaml: no age identity configured \(set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY\)/);
  });

  test('a changed plain value fails the MAC', async () => {
    const enc = (await encryptSops(Buffer.from(yamlPlain), 'db.yaml', [recipient])).toString();
    const tampered = enc.replace('shown-in-git', 'changed');
    await expect(decryptSops(Buffer.from(tampered), 'db.yaml', ids)).rejects.toThrow('db.yaml: MAC mismatch: the file was changed after sops encrypted it');
  });

  test('swapped list items decrypt (same path) but fail the MAC', async () => {
    const enc = (await encryptSops(Buffer.from('l:\n  - one\n  - two\n'), 'l.yaml', [recipient])).toString();
    const [a, b] = enc.match(/- ENC\[[^\]]+\]/g)!;
    const swapped = enc.replace(a, 'A').replace(b, a).replace('A', b);
    await expect(decryptSops(Buffer.from(swapped), 'l.yaml', ids)).rejects.toThrow('l.yaml: MAC mismatch');
  });

  test('a value moved to another key or corrupted does not decrypt', async () => {
    const enc = (await encryptSops(Buffer.from('a: one\nb: two\n'), 'x.yaml', [recipient])).toString();
    const valueFor = (k: string) => new RegExp(`^${k}: (ENC\\[[^\\]]+\\])`, 'm').exec(enc)![1];
    const moved = enc.replace(valueFor('a'), valueFor('b'));
    await expect(decryptSops(Buffer.from(moved), 'x.yaml', ids)).rejects.toThrow('x.yaml: a: value does not decrypt (corrupt, or moved to another key)');
    const corrupt = enc.replace(/^b: ENC\[AES256_GCM,data:(.)/m, (m, c: string) => m.slice(0, -1) + (c === 'A' ? 'B' : 'A'));
    await expect(decryptSops(Buffer.from(corrupt), 'x.yaml', ids)).rejects.toThrow('x.yaml: b: value does not decrypt');
    const garbled = enc.replace(/^b: ENC\[AES256_GCM,/m, 'b: ENC[AES256_GCM,junk,');
    await expect(decryptSops(Buffer.from(garbled), 'x.yaml', ids)).rejects.toThrow('x.yaml: b: malformed encrypted value');
  });

  test('a changed lastmodified breaks the MAC', async () => {
    const enc = (await encryptSops(Buffer.from('a: b\n'), 'a.yaml', [recipient])).toString();
    const moved = enc.replace(/lastmodified: "?[^"\n]+"?/, 'lastmodified: "2001-01-01T00:00:00Z"');
    await expect(decryptSops(Buffer.from(moved), 'a.yaml', ids)).rejects.toThrow('a.yaml: the sops MAC does not decrypt');
  });

  test('mac_only_encrypted leaves plain values out of the MAC', async () => {
    const enc = (await encryptSops(Buffer.from(yamlPlain), 'db.yaml', [recipient], { macOnlyEncrypted: true })).toString();
    const out = await decryptSops(Buffer.from(enc.replace('shown-in-git', 'edited')), 'db.yaml', ids);
    expect(parse(out.toString()).db.password_unencrypted).toBe('edited');
  });

  test('INI files are recognised but not supported', async () => {
    const ini = Buffer.from('[app]\npw = ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n[sops]\nmac = ENC[...]\nversion = 3.8.1\n');
    expect(isSopsEncrypted(ini, 'app.ini')).toBe(true);
    await expect(decryptSops(ini, 'app.ini', ids)).rejects.toThrow('app.ini: sops INI files are not supported (use YAML, JSON or dotenv)');
  });
});

describe('isSopsEncrypted', () => {
  test('true for what sops writes, in every format', async () => {
    for (const [plain, name] of [
      [yamlPlain, 'a.yaml'],
      ['{"a": 1}', 'a.json'],
      ['A=1\n', '.env'],
      ['bytes', 'a.pem'],
    ]) {
      const enc = await encryptSops(Buffer.from(plain), name, [recipient]);
      expect([name, isSopsEncrypted(enc, name)]).toEqual([name, true]);
      expect([name, isSopsEncrypted(Buffer.from(plain), name)]).toEqual([name, false]);
    }
  });

  test('false for look-alikes and broken files', () => {
    expect(isSopsEncrypted(Buffer.from('sops: mac\n'), 'a.yaml')).toBe(false);
    expect(isSopsEncrypted(Buffer.from('sops:\n  version: 3\n'), 'a.yaml')).toBe(false);
    expect(isSopsEncrypted(Buffer.from('sops: {mac: [unclosed\n'), 'a.yaml')).toBe(false);
    expect(isSopsEncrypted(Buffer.from('MY_sops_mac=1\n'), '.env')).toBe(false);
    expect(isSopsEncrypted(Buffer.from('{"data": "x", "sops": {"version": "1"}}'), 'blob')).toBe(false);
  });
});
