// The shared command helper (src/cli/command.ts) through stackctl's own entry point, on an embedded
// store in a temporary folder: --format is checked by commander (usage error, exit 2), input is
// checked before the Store is opened (no state.db is created on bad input), services are looked up.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/stackctl.js';

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'stackd-command-'));
  db = path.join(dir, 'state.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Run stackctl on the temporary store; what it printed, and its exit code. */
async function stackctl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(String(chunk));
    return true;
  };
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = capture(out) as typeof stdout;
  process.stderr.write = capture(err) as typeof stderr;
  try {
    const code = await main(['node', 'stackctl', '--store', `sqlite://${db}`, ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    [process.stdout.write, process.stderr.write] = [stdout, stderr];
  }
}

describe('stackctl commands', () => {
  it.each([
    ['ls', '--format', 'xml'],
    ['service', 'ls', '-o', 'yaml'],
    ['node', 'ls', '--format', 'toml'],
    ['gitops', 'status', 'src', '-o', 'table'],
  ])('a bad --format is a usage error, exit 2, and no store is opened: %s', async (...args) => {
    const r = await stackctl(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/option '-o, --format <format>' argument '\w+' is invalid\. Allowed choices are/);
    expect(existsSync(db)).toBe(false);
  });

  it('bad input checked before the store is opened: exit 2, nothing created', async () => {
    const r = await stackctl('rollout', 'undo', 'shop_web', '--to-revision', 'two');
    expect(r).toMatchObject({ code: 2, err: '--to-revision: expected a number, got "two"\n' });
    expect(existsSync(db)).toBe(false);
  });

  it('-o json and --format json list from the store', async () => {
    expect(await stackctl('ls', '-o', 'json')).toMatchObject({ code: 0, out: '[]\n' });
    expect(await stackctl('service', 'ls', '--format', 'json')).toMatchObject({ code: 0, out: '[]\n' });
    const nodes = await stackctl('node', 'ls');
    expect(nodes.code).toBe(0);
    expect(nodes.out).toMatch(/^NAME\s/);
  });

  it('a service is found by its STACK_SERVICE name, or the command says so', async () => {
    const r = await stackctl('rollout', 'history', 'shop_web');
    expect(r.code).toBe(1);
    expect(r.err).toBe('stackctl: no such service: shop_web (services are named STACK_SERVICE; see "stackctl service ls")\n');
  });
});
