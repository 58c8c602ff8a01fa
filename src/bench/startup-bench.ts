// Start-up benchmark: node dist/bench/startup-bench.js --etcd HOST:PORT --embedded FILE [--runs N]
// Times whole processes, spawn to exit, against `node -e 0` measured in the same run (the floor
// any Node program pays): stackctl --version, --help, ls on both stores, and `docker ps` for a
// client that is not Node. Then `stackd agent`: spawn to its Node object written in etcd (seen
// through a watch opened before the spawn), then SIGTERM. Runs are interleaved, case by case, so
// a change in the machine's load hits every case alike; medians are printed with the load.
// Run through hack/bench-cli.sh, which starts its own etcd and store.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { filter, firstValueFrom } from 'rxjs';
import { kindPrefix } from '../api/keys.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { percentile } from './store-bench-cases.js';

interface Case {
  name: string;
  cmd: string[];
}

/** Milliseconds from spawn to exit; a non-zero exit is an error (the case measures nothing then). */
function timeProcess(cmd: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${cmd.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}

/** Milliseconds from spawning `stackd agent` to its Node put in the store; the agent is stopped after. */
async function timeAgentRegistration(store: Store, etcd: string, node: string): Promise<number> {
  const { revision } = await store.list(kindPrefix('Node'));
  const seen = firstValueFrom(
    store
      .watch(kindPrefix('Node'), revision + 1)
      .pipe(filter((m) => m.type === 'events' && m.events.some((e) => e.type === 'put' && e.kv.key.endsWith(`/${node}`)))),
  );
  const t0 = performance.now();
  const agent = spawn(process.execPath, ['bin/stackd.js', 'agent', '--store', `etcd://${etcd}`, '--node-name', node], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, STACKD_LOG_LEVEL: 'warn' },
  });
  let err = '';
  agent.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<never>((_, reject) => agent.on('exit', (code) => reject(new Error(`stackd agent exited (${code}) before registering: ${err.trim()}`))));
  try {
    await Promise.race([seen, exited]);
    return performance.now() - t0;
  } finally {
    const gone = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGTERM');
    await gone.catch(() => undefined);
  }
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      etcd: { type: 'string' },
      embedded: { type: 'string' },
      runs: { type: 'string', default: '10' },
      'node-prefix': { type: 'string', default: 'pfstart' },
    },
  });
  if (!values.etcd || !values.embedded) throw new Error('usage: startup-bench --etcd HOST:PORT --embedded FILE [--runs N]');
  const runs = Number(values.runs);
  const stackctl = (...args: string[]) => [process.execPath, 'bin/stackctl.js', ...args];
  const cases: Case[] = [
    { name: 'node -e 0', cmd: [process.execPath, '-e', '0'] },
    { name: 'docker ps', cmd: ['docker', 'ps', '-q'] },
    { name: 'stackctl --version', cmd: stackctl('--version') },
    { name: 'stackctl --help', cmd: stackctl('--help') },
    { name: 'stackctl ls (embedded)', cmd: stackctl('--store', `sqlite://${values.embedded}`, 'ls') },
    { name: 'stackctl ls (etcd)', cmd: stackctl('--store', `etcd://${values.etcd}`, 'ls') },
  ];
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const agentName = 'stackd agent registered';
  times.set(agentName, []);
  const store = await openStore(`etcd://${values.etcd}`);
  const loadBefore = load();
  try {
    for (let i = 0; i < runs; i++) {
      for (const c of cases) times.get(c.name)!.push(await timeProcess(c.cmd));
      times.get(agentName)!.push(await timeAgentRegistration(store, values.etcd, `${values['node-prefix']}${i}`));
    }
  } finally {
    await store.close();
  }
  const floor = percentile(times.get('node -e 0')!, 50);
  console.log(`start-up, ${runs} runs each, interleaved; load before ${loadBefore}, after ${load()} (1, 5, 15 min); ${new Date().toISOString()}`);
  console.log(`${'case'.padEnd(26)} ${'median ms'.padStart(10)} ${'p90 ms'.padStart(8)} ${'vs node -e 0'.padStart(13)}`);
  for (const [name, ms] of times) {
    const median = percentile(ms, 50);
    console.log(
      `${name.padEnd(26)} ${median.toFixed(0).padStart(10)} ${percentile(ms, 90).toFixed(0).padStart(8)} ${`${(median / floor).toFixed(2)}x`.padStart(13)}`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`startup-bench: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
