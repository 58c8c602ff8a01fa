// What a command that only reads loads (issue 15: `stackctl ls` within 2x of `node -e 0`): the
// built CLI runs with a preload that prints, at exit, every CommonJS module and built-in it
// loaded. A read takes neither rxjs (the store's watch streams) nor node:crypto (sealing, hashing), and
// none of the libraries of other commands; the embedded backend loads only SQLite, and etcd's is read
// through its JSON gateway, without the gRPC client.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackctl, storeUrls, tempDir } from '../../helpers/cli.js';

const dir = tempDir('stackd-read-imports-');
const preload = join(dir, 'report-loaded.mjs');
writeFileSync(
  preload,
  `import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  process.stderr.write('LOADED ' + JSON.stringify({ modules: Object.keys(cache), builtins }) + '\\n');
});
`,
);
writeFileSync(join(dir, 'stack.yml'), 'services:\n  app:\n    image: stackd/busybox:latest\n');

/** The npm packages and built-ins that `stackctl ARGS` loaded. */
async function loadedBy(args: string[]): Promise<{ packages: Set<string>; builtins: Set<string> }> {
  const res = await stackctl(args, { NODE_OPTIONS: `--import=${preload}` });
  expect(res.code).toBe(0);
  const line = res.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  if (!line) throw new Error(`no report of loaded modules: ${res.stderr}`);
  const { modules, builtins } = JSON.parse(line.slice(7)) as { modules: string[]; builtins: string[] };
  const packages = modules.flatMap((m) => m.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? []);
  return { packages: new Set(packages), builtins: new Set(builtins) };
}

const OTHER_COMMANDS = ['dockerode', 'yaml', 'ajv', 'zod', 'pino', 'simple-git', '@kubernetes/client-node'];

describe.each(storeUrls())('stackctl ls on the %s store', (name, newUrl) => {
  it('loads no rxjs, no node:crypto, no gRPC and no other command’s libraries', async () => {
    const url = newUrl();
    const deployed = await stackctl(['--store', url, 'deploy', '-d', '-c', join(dir, 'stack.yml'), `ri${Date.now().toString(36)}`]);
    expect(deployed.code).toBe(0);
    const { packages, builtins } = await loadedBy(['--store', url, 'ls']);
    for (const p of ['rxjs', ...OTHER_COMMANDS]) expect([p, packages.has(p)]).toEqual([p, false]);
    expect(builtins.has('crypto')).toBe(false);
    // SQLite on the embedded store; on etcd, its JSON gateway over node:http: no gRPC client
    expect(packages.has('better-sqlite3')).toBe(name === 'embedded');
    for (const p of ['etcd3', '@grpc/grpc-js', 'protobufjs']) expect([p, packages.has(p)]).toEqual([p, false]);
    if (name === 'etcd') expect(builtins.has('http')).toBe(true);
  });
});

test('stackctl --help loads no command module: of the npm packages, commander only', async () => {
  const { packages, builtins } = await loadedBy(['--help']);
  expect([...packages]).toEqual(['commander']);
  expect(builtins.has('crypto')).toBe(false);
});
