// stackctl loads only the module of the command it runs (src/cli/command-table.ts): the table must
// name exactly what each module registers, and argv must lead to the module that owns the command.
import { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../../../src/cli/command-summaries.js';
import { COMMAND_MODULES, commandName, commandSummaries, modulesFor, wantsProgramHelp } from '../../../src/cli/command-table.js';
import { buildProgram, helpProgram } from '../../../src/cli/stackctl.js';

test.each(COMMAND_MODULES.map((m) => [m.names[0], m] as const))('the table names what the module of %s registers', async (_first, m) => {
  const program = new Command();
  (await m.load())(program);
  expect(program.commands.flatMap((c) => [c.name(), ...c.aliases()])).toEqual(m.names);
});

test('no command name is claimed by two modules', () => {
  const names = COMMAND_MODULES.flatMap((m) => m.names);
  expect(new Set(names).size).toBe(names.length);
});

test('the full program registers every module, in the table order', async () => {
  const program = await buildProgram();
  expect(program.commands.flatMap((c) => [c.name(), ...c.aliases()])).toEqual(['version', ...COMMAND_MODULES.flatMap((m) => m.names)]);
});

describe('the help printed without loading a module', () => {
  test('the summaries are what the modules register (else: npm run build && node hack/gen-command-summaries.mjs)', async () => {
    expect(COMMAND_SUMMARIES).toEqual(commandSummaries(await buildProgram()));
  });

  test("is the full program's help, word for word, at any width", async () => {
    const full = await buildProgram();
    const fast = helpProgram();
    expect(fast.helpInformation()).toBe(full.helpInformation());
    for (const helpWidth of [60, 100]) {
      full.configureHelp({ ...full.configureHelp(), helpWidth });
      fast.configureHelp({ ...fast.configureHelp(), helpWidth });
      expect(fast.helpInformation()).toBe(full.helpInformation());
    }
  });
});

describe('which command argv runs', () => {
  const program = new Command().option('--store <url>').option('--request-timeout <d>').option('-V, --version');
  test.each([
    [['ls'], 'ls'],
    [['--store', 'etcd://x:2379', 'ls'], 'ls'],
    [['--store=etcd://x:2379', 'service', 'ls'], 'service'],
    [['--request-timeout', '5s', '--', 'up'], 'up'],
    [['--help', 'ls'], undefined],
    [['-h'], undefined],
    [[], undefined],
  ])('%j -> %s', (args, name) => {
    expect(commandName(args, program)).toBe(name);
  });

  test('a known command loads its module only; help, --version and a misspelt command', () => {
    expect(modulesFor(['--store', 's', 'ps', 'x'], program).map((m) => m.names[0])).toEqual(['ps']);
    expect(modulesFor(['--version'], program)).toEqual([]);
    expect(modulesFor(['--help'], program)).toBe(COMMAND_MODULES);
    expect(modulesFor(['lss'], program)).toBe(COMMAND_MODULES);
  });

  test.each([
    [['--help'], true],
    [['-h'], true],
    [[], true],
    [['--store', 's'], true],
    [['--version'], false],
    [['ls', '--help'], false], // the command's own help: its module
    [['lss'], false], // a misspelt command: every module, for "did you mean"
    [['help', 'ps'], false],
  ])('%j prints the program help from the summaries: %p', (args, fast) => {
    expect(wantsProgramHelp(args, program)).toBe(fast);
  });
});
