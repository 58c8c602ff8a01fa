// Compose needs only dockerd; stackd needs its reconcilers running. On the embedded store `up`
// starts them itself (one `stackd` in the background, as a user would), so a compose file runs
// with nothing set up first. On etcd it never does: a cluster's daemons are the operator's.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEARTBEAT_PREFIX } from '../api/keys.js';
import type { Node } from '../api/objects.js';
import { listObjects } from '../client/objects.js';
import { electionPrefix } from '../store/store-election.js';
import { MANAGER_ELECTION } from '../api/keys.js';
import { describeStoreLocation, resolveStoreLocation, type StoreLocation } from '../store/open.js';
import type { Store } from '../store/store.js';
import { CommandError } from '../errors.js';

const STACKD_BIN = fileURLToPath(new URL('../../bin/stackd.js', import.meta.url));

export interface DaemonState {
  /** nodes whose agent holds its heartbeat and that are ready */
  readyNodes: string[];
  managerRunning: boolean;
}

export async function daemonState(store: Store): Promise<DaemonState> {
  const [nodes, beats, managers] = await Promise.all([listObjects<Node>(store, 'Node'), store.list(HEARTBEAT_PREFIX), store.list(electionPrefix(MANAGER_ELECTION))]);
  const alive = new Set(beats.items.map((kv) => kv.key.slice(HEARTBEAT_PREFIX.length)));
  const readyNodes = nodes.items.filter((n) => n.status?.state === 'ready' && alive.has(n.metadata.name)).map((n) => n.metadata.name);
  return { readyNodes, managerRunning: managers.items.length > 0 };
}

/** Where an auto-started stackd keeps its log and pid: beside the embedded store's file. */
export function daemonFiles(location: Extract<StoreLocation, { kind: 'sqlite' }>): { log: string; pid: string } {
  const dir = dirname(location.path);
  return { log: join(dir, 'stackd.log'), pid: join(dir, 'stackd.pid') };
}

export interface EnsureOptions {
  /** the --store flag as given (the spawned daemon gets the same) */
  storeFlag?: string;
  timeoutMs?: number;
  /** one line to the user */
  say: (line: string) => void;
  env?: Record<string, string | undefined>;
}

/** Make sure a manager and a ready node serve `store`; start `stackd` in the background if the
 *  store is embedded and they are missing. */
export async function ensureLocalDaemon(store: Store, opts: EnsureOptions): Promise<void> {
  const env = opts.env ?? process.env;
  const state = await daemonState(store);
  if (state.readyNodes.length > 0 && state.managerRunning) return;
  const location = resolveStoreLocation(opts.storeFlag, { env, home: homedir(), cwd: process.cwd() });
  if (location.kind === 'etcd') {
    const what = state.managerRunning ? 'no node is ready' : 'no stackd manager is running';
    throw new CommandError(`${what} on ${describeStoreLocation(location)}: start one on a Docker host with \`stackd --store ${describeStoreLocation(location)}\``);
  }
  const files = daemonFiles(location);
  const nodeName = env.STACKD_NODE_NAME;
  const args = [STACKD_BIN, '--store', `sqlite://${location.path}`, ...(nodeName ? ['--node-name', nodeName] : [])];
  const from = existsSync(files.log) ? statSync(files.log).size : 0;
  const fd = openSync(files.log, 'a');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  writeFileSync(files.pid, `${child.pid}\n`);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  opts.say(`Started stackd in the background (pid ${child.pid}, log ${files.log}); stop it with \`kill $(cat ${files.pid})\``);

  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const now = await daemonState(store);
    if (now.readyNodes.length > 0 && now.managerRunning) return;
    if (exited || Date.now() > deadline) {
      const tail = readFileSync(files.log, 'utf8').slice(from).trim().split('\n').slice(-3).join(' | ');
      throw new CommandError(`stackd did not become ready (${exited ?? 'timed out'}); see ${files.log}${tail ? `: ${tail}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
