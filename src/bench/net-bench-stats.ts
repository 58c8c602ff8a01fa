// Pure parts of the network benchmark (hack/bench-net.sh): summaries of request samples, the
// endpoint-removal time after a `docker kill`, and the resolver a container uses. No I/O.
import { percentile } from './store-bench-cases.js';

/** One HTTP request: when it started (epoch ms), how long it took, and who answered. */
export interface Sample {
  start: number;
  ms: number;
  /** the address connected to (a task IP, a virtual IP, a node's address) */
  addr?: string;
  /** the backend's hostname (the body of its response), or undefined when the request failed */
  backend?: string;
  error?: string;
}

export interface LoadSummary {
  requests: number;
  errors: number;
  /** successful requests per second of wall time */
  rps: number;
  p50: number;
  p99: number;
  /** successful requests per backend hostname */
  backends: Record<string, number>;
  /** the first error seen, to say why a case failed */
  firstError?: string;
}

export function summarize(samples: Sample[], wallMs: number): LoadSummary {
  const ok = samples.filter((s) => s.backend !== undefined);
  const backends: Record<string, number> = {};
  for (const s of ok) backends[s.backend!] = (backends[s.backend!] ?? 0) + 1;
  const latencies = ok.map((s) => s.ms);
  return {
    requests: samples.length,
    errors: samples.length - ok.length,
    rps: wallMs > 0 ? (ok.length * 1000) / wallMs : 0,
    p50: ok.length ? percentile(latencies, 50) : NaN,
    p99: ok.length ? percentile(latencies, 99) : NaN,
    backends,
    firstError: samples.find((s) => s.backend === undefined)?.error,
  };
}

export interface Removal {
  /** ms from the kill to the start of the first good request after the last bad one */
  ms: number;
  /** requests started after the kill that failed or were answered by the victim */
  bad: number;
  /** requests started after the kill that a live backend answered */
  good: number;
  /** requests the victim answered before the kill (0: the figure says nothing about it) */
  victimBefore: number;
}

/** How long the killed backend (`victim`, its hostname) kept receiving requests: the last request
 *  started after `killedAt` that failed or reached it, then the first good one after that.
 *  With `victimAddr` (the client connects to task IPs itself, as with DNS round robin) only
 *  failures at that address count: one at another task's address (a replacement task not yet
 *  listening, a slow response) says nothing about the victim. Through a virtual IP or a node's
 *  port every failure counts. Undefined when no good request follows the last bad one in the
 *  window (the endpoint was never removed). */
export function removalTime(samples: Sample[], killedAt: number, victim: string, victimAddr?: string): Removal | undefined {
  const after = samples.filter((s) => s.start >= killedAt).sort((a, b) => a.start - b.start);
  const isBad = (s: Sample) => s.backend === victim || (s.backend === undefined && (victimAddr === undefined || s.addr === victimAddr));
  const isGood = (s: Sample) => s.backend !== undefined && s.backend !== victim;
  let lastBad = -1;
  after.forEach((s, i) => {
    if (isBad(s)) lastBad = i;
  });
  const firstGood = after.slice(lastBad + 1).find(isGood);
  if (!firstGood) return undefined;
  const bad = after.filter(isBad).length;
  const victimBefore = samples.filter((s) => s.start < killedAt && s.backend === victim).length;
  return { ms: Math.max(0, firstGood.start - killedAt), bad, good: after.filter(isGood).length, victimBefore };
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
}

/** The parts of resolv.conf(5) a lookup needs; comments and unknown options are skipped. */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [] };
  for (const raw of text.split('\n')) {
    const [key, ...args] = raw
      .replace(/[#;].*/, '')
      .trim()
      .split(/\s+/);
    if (key === 'nameserver' && args[0]) conf.nameservers.push(args[0]);
    if (key === 'search' || key === 'domain') conf.search = args.filter((a) => a !== '' && a !== '.');
  }
  return conf;
}

/** Names to try for `name`, as a stub resolver would (the name itself first: containers get
 *  `ndots:0` from Docker, and a service name has no dots). */
export function candidateNames(name: string, conf: ResolvConf): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  return [name, ...conf.search.map((d) => `${name}.${d}`)];
}
