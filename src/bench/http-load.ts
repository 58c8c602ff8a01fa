// The network benchmark's load generator, the same program for stackd and for Docker Swarm.
// hack/bench-net.sh runs it inside a client container's network namespace (`nsenter --net=...
// node dist/bench/http-load.js ...`), so its packets take that container's path; names are
// resolved through the container's own resolver (--resolv-conf /proc/PID/root/etc/resolv.conf).
//
//   load --target HOST[,HOST...]:PORT [--requests 3000] [--seconds 10] [--concurrency 8] [--timeout 1000]
//       one new connection per request (busybox httpd closes each one), C at a time, until either
//       bound; a name is resolved once and its addresses used in turn. Prints a JSON LoadSummary.
//   watch --target HOST:PORT [--seconds 10] [--interval 20] [--timeout 1000]
//       starts a request every interval ms (the name resolved for each, as a plain client does),
//       however slow the earlier ones are, and prints the JSON array of Samples.
//   removal --samples FILE --killed-at EPOCH_MS --victim HOSTNAME [--victim-addr IP]
//       prints the Removal computed from a watch's samples (null: never removed in the window);
//       --victim-addr when the target resolves to task IPs (see removalTime).
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { isIP } from 'node:net';
import { Resolver } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { candidateNames, parseResolvConf, removalTime, summarize, type Sample } from './net-bench-stats.js';

const now = () => performance.timeOrigin + performance.now();

function usage(message: string): never {
  console.error(`http-load: ${message}`);
  process.exit(2);
}

/** GET / on one new connection; the body (trimmed) names the backend. */
function get(host: string, port: number, timeoutMs: number): Promise<Sample> {
  const start = now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (s: Omit<Sample, 'start' | 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ start, ms: now() - start, addr: host, ...s });
    };
    const req = request({ host, port, path: '/', agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => finish(res.statusCode === 200 ? { backend: body.trim() } : { error: `HTTP ${res.statusCode}` }));
      res.on('error', (err) => finish({ error: err.message }));
    });
    const timer = setTimeout(() => {
      finish({ error: `timeout ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
    req.end();
  });
}

function makeLookup(resolvConf: string): (name: string) => Promise<string[]> {
  const conf = parseResolvConf(readFileSync(resolvConf, 'utf8'));
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  if (conf.nameservers.length) resolver.setServers(conf.nameservers);
  return async (name) => {
    if (name.split(',').every((a) => isIP(a))) return name.split(',');
    let last: unknown;
    for (const candidate of candidateNames(name, conf)) {
      try {
        const addrs = await resolver.resolve4(candidate);
        if (addrs.length) return addrs;
      } catch (err) {
        last = err;
      }
    }
    throw new Error(`${name} does not resolve (${(last as NodeJS.ErrnoException)?.code ?? 'no addresses'})`);
  };
}

async function load(
  host: string,
  port: number,
  opts: { requests: number; seconds: number; concurrency: number; timeout: number },
  lookup: (n: string) => Promise<string[]>,
) {
  const addrs = await lookup(host);
  const samples: Sample[] = [];
  const t0 = now();
  const deadline = t0 + opts.seconds * 1000;
  let next = 0;
  const worker = async () => {
    while (next < opts.requests && now() < deadline) {
      const addr = addrs[next++ % addrs.length];
      samples.push(await get(addr, port, opts.timeout));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { addresses: addrs, ...summarize(samples, now() - t0) };
}

async function watch(host: string, port: number, opts: { seconds: number; interval: number; timeout: number }, lookup: (n: string) => Promise<string[]>) {
  const pending: Promise<Sample>[] = [];
  const t0 = now();
  let turn = 0;
  const one = async (): Promise<Sample> => {
    const start = now();
    let addrs: string[];
    try {
      addrs = await lookup(host);
    } catch (err) {
      return { start, ms: now() - start, error: (err as Error).message };
    }
    const s = await get(addrs[turn++ % addrs.length], port, opts.timeout);
    return { ...s, start, ms: now() - start };
  };
  for (let i = 0; now() < t0 + opts.seconds * 1000; i++) {
    pending.push(one());
    const wait = t0 + (i + 1) * opts.interval - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return Promise.all(pending);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      target: { type: 'string' },
      'resolv-conf': { type: 'string', default: '/etc/resolv.conf' },
      requests: { type: 'string', default: '3000' },
      seconds: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '8' },
      timeout: { type: 'string' },
      interval: { type: 'string', default: '20' },
      samples: { type: 'string' },
      'killed-at': { type: 'string' },
      victim: { type: 'string' },
      'victim-addr': { type: 'string' },
    },
  });
  const num = (name: keyof typeof values, fallback?: string): number => {
    const v = Number(values[name] ?? fallback);
    if (!Number.isFinite(v) || v <= 0) usage(`--${name} must be a positive number`);
    return v;
  };
  if (command === 'removal') {
    if (!values.samples || !values.victim) usage('removal needs --samples FILE --killed-at EPOCH_MS --victim HOSTNAME [--victim-addr IP]');
    const samples = JSON.parse(readFileSync(values.samples, 'utf8')) as Sample[];
    console.log(JSON.stringify(removalTime(samples, num('killed-at'), values.victim, values['victim-addr']) ?? null));
    return;
  }
  const m = /^(.+?)(?::(\d+))?$/.exec(values.target ?? '');
  if (!m || (command !== 'load' && command !== 'watch')) usage('usage: http-load load|watch --target HOST[:PORT] [...] | removal [...]');
  const [host, port] = [m[1], Number(m[2] ?? 80)];
  const lookup = makeLookup(values['resolv-conf']!);
  if (command === 'load') {
    const opts = { requests: num('requests'), seconds: num('seconds'), concurrency: num('concurrency'), timeout: num('timeout', '1000') };
    console.log(JSON.stringify(await load(host, port, opts, lookup)));
  } else {
    console.log(JSON.stringify(await watch(host, port, { seconds: num('seconds'), interval: num('interval'), timeout: num('timeout', '1000') }, lookup)));
  }
}

main().catch((err: Error) => {
  console.error(`http-load: ${err.message}`);
  process.exit(1);
});
