// The processes of a scale run (a real manager, hollow-node processes, stackctl) and what the
// kernel says of them: resident memory, CPU seconds, the machine's load.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

export const load = (): string =>
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

export interface ProcStats {
  rssMiB: number;
  /** the peak resident set (VmHWM) */
  peakRssMiB: number;
  cpuSeconds: number;
}

export function procStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  // fields after the command name (which may hold spaces): utime, stime are the 12th and 13th
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(after[11]) + Number(after[12]);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024, cpuSeconds: ticks / 100 };
}

/** the highest RSS of a process between construction and stop(), sampled every 500 ms (VmHWM is
 *  the whole life's peak, which would mix placement into a phase's figure) */
export class RssSampler {
  peakMiB = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(pid: number) {
    const sample = () => {
      this.peakMiB = Math.max(this.peakMiB, procStats(pid).rssMiB);
    };
    sample();
    this.timer = setInterval(sample, 500);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** CPU seconds of groups of processes (the bench itself as `bench`) since construction */
export class CpuSplit {
  private readonly start: Map<string, number>;
  private readonly bench0 = process.cpuUsage();
  constructor(private readonly groups: Record<string, number[]>) {
    this.start = new Map(Object.entries(groups).map(([name, pids]) => [name, cpuOf(pids)]));
  }
  since(): string {
    const parts = Object.entries(this.groups)
      .filter(([, pids]) => pids.length > 0)
      .map(([name, pids]) => `${name} ${(cpuOf(pids) - this.start.get(name)!).toFixed(1)}`);
    const bench = process.cpuUsage(this.bench0);
    return [...parts, `bench ${((bench.user + bench.system) / 1e6).toFixed(1)}`].join(', ');
  }
}

function cpuOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + procStats(pid).cpuSeconds, 0);
}

function logged(dir: string, name: string): ['ignore', number, number] {
  const fd = openSync(join(dir, `${name}.log`), 'a');
  return ['ignore', fd, fd];
}

export function spawnManager(storeUrl: string, dir: string, cpuProf: boolean): ChildProcess {
  const prof = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-name=manager.cpuprofile'] : [];
  return spawn(process.execPath, [...prof, 'bin/stackd.js', 'manager', '--store', storeUrl], {
    stdio: logged(dir, 'manager'),
    env: { ...process.env, STACKD_LOG_LEVEL: process.env.BENCH_MANAGER_LOG ?? 'warn' },
  });
}

export interface HollowProcess {
  prefix: string;
  first: number;
  count: number;
  groups: number;
  startDelayMs: number;
  heartbeatTtl: number;
}

export function spawnHollow(storeUrl: string, dir: string, h: HollowProcess, cpuProf = false): ChildProcess {
  const prof = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=hollow-${h.first}.cpuprofile`] : [];
  const flags = Object.entries({
    prefix: h.prefix,
    first: h.first,
    count: h.count,
    groups: h.groups,
    'start-delay-ms': h.startDelayMs,
    'heartbeat-ttl': h.heartbeatTtl,
  }).flatMap(([k, v]) => [`--${k}`, String(v)]);
  return spawn(process.execPath, [...prof, 'dist/sim/hollow-main.js', '--store', storeUrl, ...flags], { stdio: logged(dir, `hollow-${h.first}`) });
}

/** runs `stackctl --store URL ...args`; the ms it took (rejects on a non-zero exit). Not spawnSync:
 *  the benchmark's own watch must keep reading while the stacks are written (blocked for the 10
 *  deploys of a full run, about 24 s, its figures were late by that much and etcd held the events) */
export function stackctl(storeUrl: string, args: string[]): Promise<number> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/stackctl.js', '--store', storeUrl, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(performance.now() - t);
      else reject(new Error(`stackctl ${args.join(' ')}: exit ${code}: ${stderr.trim().split('\n').pop()}`));
    });
  });
}

/** etcd's database size in MiB (etcdctl endpoint status), or the SQLite file's with its log */
export function storeSizeMiB(storeUrl: string): number {
  if (storeUrl.startsWith('sqlite://')) {
    const path = storeUrl.slice('sqlite://'.length);
    const size = (p: string) => {
      try {
        return spawnSync('stat', ['-c', '%s', p], { encoding: 'utf8' }).stdout.trim() || '0';
      } catch {
        return '0';
      }
    };
    return (Number(size(path)) + Number(size(`${path}-wal`))) / (1 << 20);
  }
  const endpoints = storeUrl.replace(/^etcd:\/\//, '');
  const res = spawnSync('etcdctl', ['--endpoints', endpoints, 'endpoint', 'status', '-w', 'json'], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } });
  const status = JSON.parse(res.stdout || '[]') as { Status?: { dbSize?: number } }[];
  return (status[0]?.Status?.dbSize ?? NaN) / (1 << 20);
}

/** etcd's own counts of key-value work (its /metrics), to say what each placed task cost it */
export interface EtcdCounters {
  puts: number;
  ranges: number;
  txns: number;
  deletes: number;
}

export async function etcdCounters(storeUrl: string): Promise<EtcdCounters | undefined> {
  const m = /^etcd:\/\/([^,/]+)/.exec(storeUrl);
  if (!m) return undefined;
  const text = await (await fetch(`http://${m[1]}/metrics`)).text();
  const counter = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    puts: counter('etcd_mvcc_put_total'),
    ranges: counter('etcd_mvcc_range_total'),
    txns: counter('etcd_mvcc_txn_total'),
    deletes: counter('etcd_mvcc_delete_total'),
  };
}

/** what etcd did between two readings, per task */
export function etcdWork(before: EtcdCounters, after: EtcdCounters, tasks: number): string {
  const per = (k: keyof EtcdCounters) => `${after[k] - before[k]} ${k} (${((after[k] - before[k]) / tasks).toFixed(2)})`;
  return `${per('puts')}, ${per('ranges')}, ${per('txns')} per task`;
}
