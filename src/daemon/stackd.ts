// stackd: the daemon. `stackd manager`, `stackd agent`, or `stackd` alone: manager and agent for
// this host in one process, on the embedded store by default.
import { hostname } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { InputError, reportError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseListenAddress } from '../gitops/webhook-auth.js';
import { parseDuration } from '../stackfile/units.js';
import { openStore } from '../store/open.js';
import { poolProblem } from '../net/addr-pool.js';
import { DEFAULT_DRAIN_MS, DEFAULT_TASK_CONCURRENCY } from '../agent/task-concurrency.js';
import { armShutdownGrace, SHUTDOWN_GRACE_MS } from './shutdown.js';
import type { Store } from '../store/store.js';
import { addStoreOptions, type StoreFlags } from '../store/flags.js';
import type { ApiServerOptions } from '../apiserver/server.js';

// Each mode imports what it runs when it starts (below): an agent never loads the manager, GitOps
// (git, SOPS/age, the stack-file parser) or the API server, and its code loads while the store
// opens, so that it registers its node soon after it is spawned (an agent restarted within the
// node's grace period adopts its containers).
const logging = () => import('../log.js');

function parseListen(value: string): string {
  try {
    parseListenAddress(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

interface GitOpsFlags {
  nodeGrace?: number;
  defaultAddrPool?: string;
  eventTtl?: number;
  compactionInterval?: number;
  gitopsCacheDir?: string;
  sopsAgeKeyFile?: string;
}

function parsePool(value: string): string {
  const problem = poolProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return value;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected seconds, e.g. 5 or 0.5, got "${value}"`);
  return n;
}

/** A duration flag (1h, 10m, 30s) as milliseconds. */
function parseDurationFlag(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function parseCompactionInterval(value: string): number {
  const ms = parseDurationFlag(value);
  if (ms !== 0 && ms < 1000) throw new InvalidArgumentError(`--compaction-interval must be 0 (never) or at least 1s, got "${value}"`);
  return ms;
}

function parseEventTtl(value: string): number {
  const ms = parseDurationFlag(value);
  if (ms < 1000) throw new InvalidArgumentError(`--event-ttl must be at least 1s, got "${value}"`);
  return ms;
}

/** The manager's flags (GitOps, the node grace, the event TTL). */
function gitOpsFlags(cmd: Command): Command {
  return cmd
    .option(
      '--node-grace <seconds>',
      'a node whose heartbeat lease has lapsed is declared down (its tasks replaced) after this long; an agent back sooner adopts its containers',
      parseSeconds,
      5,
    )
    .option(
      '--default-addr-pool <cidr>',
      "the pool networks without ipam.config get subnets from (default 10.128.0.0/10); recorded by the first manager given one, as Swarm's swarm init --default-addr-pool",
      parsePool,
    )
    .option('--event-ttl <duration>', 'events expire this long after their last occurrence (e.g. 1h, 10m, 30s)', parseEventTtl, 3_600_000)
    .option(
      '--compaction-interval <duration>',
      "on etcd, the leader compacts the store's history this often, to the revision of one interval earlier, as the Kubernetes API server (0: never; the embedded store compacts itself)",
      parseCompactionInterval,
      300_000,
    )
    .option('--gitops-cache-dir <dir>', 'where GitOps keeps fetched repositories (default: gitops-cache beside the embedded store, or ~/.stackd/gitops-cache)')
    .option('--sops-age-key-file <file>', 'age keys for SOPS-encrypted files in GitOps repositories (else env SOPS_AGE_KEY_FILE or SOPS_AGE_KEY)');
}

interface ApiFlags {
  apiListen?: string;
  uiListen?: string;
  apiStateDir?: string;
  apiCaCert?: string;
  apiCaKey?: string;
  apiAdvertiseUrl?: string;
}

/** The API server's flags (a manager's, and the all-in-one's). */
function apiFlags(cmd: Command): Command {
  return cmd
    .option('--api-listen <addr>', 'serve the Kubernetes-style API (HTTPS) on [HOST]:PORT, e.g. :6443', parseListen)
    .option(
      '--api-state-dir <dir>',
      "where the API's CA (made on first start) and serving certificate live (default: api beside the embedded store, or ~/.stackd/api)",
    )
    .option('--api-ca-cert <file>', "issue the serving certificate from this CA (with --api-ca-key) instead of the state directory's own: managers sharing one CA")
    .option('--api-ca-key <file>', "the CA's private key")
    .option('--api-advertise-url <url>', 'the URL kubeconfigs point at (default https://<listen host or 127.0.0.1>:PORT)')
    .option('--ui-listen <addr>', 'serve the web console (HTTP) on [HOST]:PORT, e.g. 127.0.0.1:8090; read-only without a token only on loopback', parseListen);
}

async function apiServerOptions(flags: ApiFlags & { store?: string }, log: Logger): Promise<ApiServerOptions | undefined> {
  if (!flags.apiListen) return undefined;
  const { defaultApiStateDir } = await import('../apiserver/server.js');
  return {
    listen: flags.apiListen,
    stateDir: flags.apiStateDir ?? defaultApiStateDir(flags.store),
    caCertFile: flags.apiCaCert,
    caKeyFile: flags.apiCaKey,
    advertiseUrl: flags.apiAdvertiseUrl,
    log: log.child({ component: 'apiserver' }),
  };
}

const WEBHOOK_LISTEN_HELP = 'serve GitOps webhooks (POST /hooks/git/NAME) on [HOST]:PORT, e.g. :9292 or 127.0.0.1:9292';

function parseLabel(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** Runs until SIGINT/SIGTERM; the store closes last. Exits within the shutdown grace whatever
 *  the store does. */
async function serve(
  flags: StoreFlags & { metricsListen?: string },
  run: (store: Store, signal: AbortSignal) => Promise<unknown>,
  open: () => Promise<Store> = async () => {
    const [opened, { MeteredStore }] = await Promise.all([openStore(flags.store, flags), import('../metrics/metered-store.js')]);
    return new MeteredStore(opened);
  },
): Promise<void> {
  const [store, { withMetricsServer }] = await Promise.all([open(), import('../metrics/server.js')]);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const disarm = armShutdownGrace(stop.signal, SHUTDOWN_GRACE_MS, () => {
    process.stderr.write(
      `stackd: not stopped cleanly within ${SHUTDOWN_GRACE_MS / 1000}s (store ${store.endpoint} not answering?); exiting, containers keep running\n`,
    );
    process.exit(); // 0, or the code of the error that stopped it (main has set it by then)
  });
  // the store's timers are unref'd (a CLI exits once done): without this, a standby manager
  // waiting for leadership on the embedded store has nothing keeping the process alive
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await withMetricsServer(flags.metricsListen, store, () => run(store, stop.signal));
  } catch (err) {
    stop.abort(); // e.g. the agent refused its node name: the manager beside it stops too
    throw err;
  } finally {
    clearInterval(keepAlive);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
    disarm();
  }
}

interface ServerFlags {
  server?: string;
  tokenFile?: string;
  caFile?: string;
}

/** The agent's Store through the API (apiserver-client/): no etcd on the node. */
async function openApiStore(flags: ServerFlags): Promise<Store> {
  if (!flags.tokenFile) throw new InputError(['--server needs --token-file (the node token: stackctl kubeconfig --node NAME)']);
  const [{ ApiStore }, { kubeConfigFor, readTokenFile }] = await Promise.all([import('../apiserver-client/api-store.js'), import('../apiserver-client/connect.js')]);
  const kc = kubeConfigFor({ server: flags.server!, token: readTokenFile(flags.tokenFile), caFile: flags.caFile });
  return new ApiStore(kc, flags.server!);
}

interface AgentFlags {
  nodeName: string;
  docker?: string;
  label?: Record<string, string>;
  role: 'manager' | 'worker';
  address?: string;
  netns?: string;
  taskConcurrency?: number;
  /** ms (parsed from a duration) */
  endpointDrain?: number;
}

function parseDrain(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function parseTaskConcurrency(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  return n;
}

function agentOptions(cmd: Command): Command {
  return cmd
    .option('--node-name <name>', "this node's name", hostname())
    .option('--docker <url>', 'Docker Engine: unix:///path or tcp://host:port (default DOCKER_HOST or /var/run/docker.sock)')
    .option('--label <key=value>', 'node label (repeatable)', parseLabel)
    .option('--address <addr>', 'address other nodes reach this one at')
    .option(
      '--netns <path>',
      "the engine host's network namespace (e.g. /var/run/netns/NAME, /proc/1/ns/net): turns on cluster networking (overlays, service VIPs and DNS, routing mesh)",
    )
    .option(
      '--task-concurrency <n>',
      "tasks the agent works on at once (each step: pull, create, start, stop); Swarm's agent has no such cap",
      parseTaskConcurrency,
      DEFAULT_TASK_CONCURRENCY,
    )
    .option(
      '--endpoint-drain <duration>',
      "with --netns: a task leaving its service's endpoints (stopping, unhealthy) gets its stop signal this long after, once every node sends it no new connection (e.g. 1s, 500ms, 0s)",
      parseDrain,
      DEFAULT_DRAIN_MS,
    )
    .addOption(new Option('--role <role>', 'node role').choices(['manager', 'worker']).default('worker'));
}

export function buildProgram(): Command {
  const program = new Command('stackd')
    .description('The stackd control plane: manager and node agent for this host, on the embedded store by default')
    .exitOverride();
  addStoreOptions(program);
  program.option('--metrics-listen <addr>', 'serve /healthz, /readyz and /metrics (Prometheus) on [HOST]:PORT, e.g. :9464', parseListen);
  apiFlags(gitOpsFlags(agentOptions(program)))
    .option('--webhook-listen <addr>', WEBHOOK_LISTEN_HELP, parseListen)
    .action(async (opts: AgentFlags & GitOpsFlags & StoreFlags & ApiFlags & { webhookListen?: string; metricsListen?: string }) => {
      const [{ createLogger }, { runAgent }, { runManager }, { gitOpsOptions }, { withWebhookReceiver }, { withApiServer }] = await Promise.all([
        logging(),
        import('../agent/agent.js'),
        import('../manager/manager.js'),
        import('../gitops/options.js'),
        import('../gitops/webhook.js'),
        import('../apiserver/server.js'),
      ]);
      const { withConsole } = await import('../console/server.js');
      const log = createLogger('stackd');
      const gitops = await gitOpsOptions(opts);
      const api = await apiServerOptions(opts, log);
      await serve(opts, (store, signal) =>
        withApiServer(store, api, () =>
          withConsole(store, opts.uiListen ? { listen: opts.uiListen, log: log.child({ component: 'console' }) } : undefined, () =>
            withWebhookReceiver(store, opts.webhookListen, log.child({ component: 'webhook' }), () =>
              Promise.all([
                runManager(
                  store,
                  {
                    log: log.child({ component: 'manager' }),
                    gitops,
                    nodeGraceSeconds: opts.nodeGrace,
                    eventTtlMs: opts.eventTtl,
                    compactionIntervalMs: opts.compactionInterval,
                    address: opts.metricsListen,
                    defaultAddrPool: opts.defaultAddrPool,
                  },
                  signal,
                ),
                runAgent(store, { ...opts, dockerUrl: opts.docker, labels: opts.label, role: 'manager', log: log.child({ component: 'agent' }) }, signal),
              ]),
            ),
          ),
        ),
      );
    });

  apiFlags(gitOpsFlags(program.command('manager')))
    .description('Run the manager: leader-elected controllers over the store (and, with --api-listen, the API)')
    .option('--webhook-listen <addr>', WEBHOOK_LISTEN_HELP, parseListen)
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GitOpsFlags & StoreFlags & ApiFlags & { webhookListen?: string; metricsListen?: string }>();
      const [{ createLogger }, { runManager }, { gitOpsOptions }, { withWebhookReceiver }, { withApiServer }] = await Promise.all([
        logging(),
        import('../manager/manager.js'),
        import('../gitops/options.js'),
        import('../gitops/webhook.js'),
        import('../apiserver/server.js'),
      ]);
      const { withConsole } = await import('../console/server.js');
      const log = createLogger('stackd-manager');
      const gitops = await gitOpsOptions(flags);
      const api = await apiServerOptions(flags, log);
      await serve(flags, (s, signal) =>
        withApiServer(s, api, () =>
          withConsole(s, flags.uiListen ? { listen: flags.uiListen, log: log.child({ component: 'console' }) } : undefined, () =>
            withWebhookReceiver(s, flags.webhookListen, log.child({ component: 'webhook' }), () =>
              runManager(
                s,
                {
                  log,
                  gitops,
                  nodeGraceSeconds: flags.nodeGrace,
                  eventTtlMs: flags.eventTtl,
                  compactionIntervalMs: flags.compactionInterval,
                  address: flags.metricsListen,
                  defaultAddrPool: flags.defaultAddrPool,
                },
                signal,
              ),
            ),
          ),
        ),
      );
    });

  program
    .command('leave')
    .description("Remove one cluster's host objects (iptables chains, VXLAN devices, engine networks) from a host its agent has left for good")
    .requiredOption('--cluster-id <id>', "the cluster's id (the Store's /stackd/cluster/id; the agent logs it when it registers)")
    .option('--force', "even while containers of the cluster still run on the engine (they lose their networks' devices)")
    .addHelpText('after', '\nWith the agent\'s --netns PATH (required), --node-name and --docker (stackd\'s own options, given before or after "leave").')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ clusterId: string; netns?: string; nodeName: string; docker?: string; force?: boolean }>();
      if (!opts.netns) throw new Error("stackd leave needs --netns PATH: the engine host's network namespace, as given to the agent");
      const [{ DockerRuntime }, { HostNet }, { clusterNames }, { leaveHost }, { LABEL }] = await Promise.all([
        import('../runtime/docker.js'),
        import('../net/host.js'),
        import('../net/host-names.js'),
        import('../net/leave.js'),
        import('../runtime/labels.js'),
      ]);
      const runtime = DockerRuntime.connect(opts.docker);
      const running = (await runtime.listManaged({ node: opts.nodeName })).filter((c) => c.labels[LABEL.cluster] === opts.clusterId && c.state === 'running');
      if (running.length && !opts.force) {
        throw new Error(
          `${running.length} container(s) of cluster ${opts.clusterId} still run on ${runtime.endpoint} (${running[0].name}${running.length > 1 ? ', ...' : ''}): drain node ${opts.nodeName} first (stackctl node update --availability drain ${opts.nodeName}), or pass --force`,
        );
      }
      const names = clusterNames(opts.clusterId);
      const left = await leaveHost(new HostNet(opts.netns), runtime, opts.clusterId, opts.nodeName, names);
      process.stdout.write(
        `cluster ${opts.clusterId} (tag ${names.tag}) left ${opts.netns}: chains ${left.chains.join(' ')}; devices ${left.devices.join(' ') || '-'}; networks ${left.networks.join(' ') || '-'}${left.kept.length ? `; kept (containers on them): ${left.kept.join(' ')}` : ''}\n`,
      );
    });

  agentOptions(program.command('agent').description('Run the node agent for one Docker Engine'))
    .option('--server <url>', 'run through the API server at this https URL (a node token, no etcd access) instead of the store')
    .option('--token-file <file>', 'with --server: the bearer token of this node (stackctl kubeconfig --node NAME makes one)')
    .option('--ca-file <file>', "with --server: the CA certificate of the API server (stackctl kubeconfig prints it; default: the system's CAs)")
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<AgentFlags & StoreFlags & ServerFlags>();
      const open = opts.server ? () => openApiStore(opts) : undefined;
      // the agent's code loads while the store opens
      const agent = Promise.all([logging(), import('../agent/agent.js')]);
      await serve(
        opts,
        async (s, signal) => {
          const [{ createLogger }, { runAgent }] = await agent;
          return runAgent(s, { ...opts, dockerUrl: opts.docker, labels: opts.label, log: createLogger('stackd-agent').child({ node: opts.nodeName }) }, signal);
        },
        open,
      );
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    return reportError(err, 'stackd');
  }
}
