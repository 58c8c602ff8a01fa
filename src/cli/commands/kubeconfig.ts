// kubeconfig: make an API identity (a bearer token, kept hashed in the Store) and print a
// kubeconfig for kubectl or client-node; token ls | revoke: manage those identities.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { API_CA_KEY, API_URL_KEY } from '../../api/keys.js';
import { kubeconfig } from '../../apiserver/kubeconfig.js';
import { createToken, listTokens, revokeToken, type Role } from '../../apiserver/tokens.js';
import { CommandError, InputError } from '../../errors.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { apiClientFor, withStore } from '../context.js';
import { parseFormat, printList } from '../format.js';

function parseNodeName(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a node name`);
  return value;
}

interface KubeconfigFlags {
  role: Role;
  node?: string;
  namespace?: string;
  clientCert?: boolean;
  caKey?: string;
  days: string;
  user?: string;
}

/** kubeconfig goes through the API only when a credential is given (--token, --kubeconfig or
 *  STACKD_KUBECONFIG): `--server` alone keeps its meaning there, the URL to print. */
function credentialGiven(cmd: Command): boolean {
  const g = cmd.optsWithGlobals<{ token?: string; kubeconfig?: string }>();
  return Boolean(g.token || g.kubeconfig || process.env.STACKD_KUBECONFIG);
}

export function registerKubeconfigCommands(program: Command): void {
  program
    .command('kubeconfig')
    .description('Create an API identity and print a kubeconfig for it (the API: stackd --api-listen)')
    .addOption(new Option('--role <role>', 'admin (everything) or viewer (read; no secret data)').choices(['admin', 'viewer']).default('admin'))
    .option(
      '--node <name>',
      "a node identity instead: reads only that node's tasks and their configs and secrets, writes only their status (for stackd agent --server)",
      parseNodeName,
    )
    .option('-n, --namespace <stack>', "the context's default namespace (stack)")
    .option('--client-cert', 'a client certificate signed by the API CA (CN = the name, O = the role group) instead of a token; not revocable: it expires')
    .option('--ca-key <file>', "the API CA's key, to sign --client-cert (default: ca.key in the API state directory beside the store)")
    .option('--days <n>', 'how long a --client-cert is valid', '30')
    .option('--user <name>', "a --client-cert's name (CN) for admin and viewer (default: ROLE-RANDOM)")
    // --server (stackctl's own flag) is here the API URL to put in it (default: the one the API
    // server announced) unless a credential sends the command through the API (see credentialGiven)
    .action(async (opts: KubeconfigFlags, cmd: Command) => {
      const wanted = cmd.optsWithGlobals<{ server?: string }>().server;
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1) throw new InputError([`--days ${opts.days}: expected a whole number of days`]);
      const remote = credentialGiven(cmd) ? await apiClientFor(cmd) : undefined;
      if (remote) {
        // through the API as an admin: the server makes the token; the kubeconfig names the server
        // and CA this client trusts (signing a certificate needs the CA key, on a manager host)
        if (opts.clientCert) throw new InputError(['--client-cert signs with the API CA key: run it on a manager host with --store']);
        const api = await import('../../apiserver-client/tokens.js');
        const ca = api.trustedCa(remote.kc);
        if (!ca) throw new InputError(['the kubeconfig to print needs the API CA: give --certificate-authority FILE']);
        const role: Role = opts.node ? 'node' : opts.role;
        const { token, record } = await api.createApiToken(remote.kc, role, opts.node);
        const name = role === 'node' ? `node-${opts.node}` : `${role}-${record.id}`;
        process.stdout.write(kubeconfig({ server: remote.server, caCertPem: ca, token, name, namespace: opts.namespace }));
        return;
      }
      await withStore(cmd, { remote: false }, async (store) => {
        const [ca, url] = await Promise.all([store.get(API_CA_KEY), store.get(API_URL_KEY)]);
        if (!ca) throw new CommandError('no API server has published its CA yet: start stackd (or stackd manager) with --api-listen');
        const server = wanted ?? url?.value;
        if (!server) throw new CommandError('pass --server https://HOST:PORT');
        const role: Role = opts.node ? 'node' : opts.role;
        if (opts.clientCert) {
          const user = opts.node ?? opts.user ?? `${role}-${randomBytes(4).toString('hex')}`;
          const { defaultApiStateDir } = await import('../../apiserver/server.js');
          const caKey = opts.caKey ?? join(defaultApiStateDir(cmd.optsWithGlobals<{ store?: string }>().store), 'ca.key');
          const { issueClientCert } = await import('../../apiserver/client-certs.js');
          const clientCert = await issueClientCert({ certPem: ca.value, keyFile: caKey }, user, role, days).catch((err: Error) => {
            throw new CommandError(`cannot sign a client certificate with ${caKey}: ${err.message}`);
          });
          const name = role === 'node' ? `node-${user}` : user;
          process.stdout.write(kubeconfig({ server, caCertPem: ca.value, clientCert, name, namespace: opts.namespace }));
          return;
        }
        const { token, record } = await createToken(store, role, opts.node);
        const name = role === 'node' ? `node-${opts.node}` : `${role}-${record.id}`;
        process.stdout.write(kubeconfig({ server, caCertPem: ca.value, token, name, namespace: opts.namespace }));
      });
    });

  const token = program.command('token').description('API identities made by stackctl kubeconfig');
  token
    .command('ls')
    .description('List API identities (their secrets are not kept: only hashes)')
    .option('--format <format>', 'table or json', 'table')
    .action(async (opts: { format: string }, cmd: Command) => {
      const format = parseFormat(opts.format);
      const remote = await apiClientFor(cmd);
      const records = remote
        ? await (await import('../../apiserver-client/tokens.js')).listApiTokens(remote.kc)
        : (await withStore(cmd, async (store) => listTokens(store))).map(({ sha256: _hash, ...rest }) => rest);
      const items = records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      printList(format, items, ['ID', 'ROLE', 'NODE', 'CREATED'], (t) => [t.id, t.role, t.node ?? '-', t.createdAt]);
    });
  token
    .command('revoke')
    .description('Revoke API identities: their tokens stop working at once')
    .argument('<id...>', 'token ids (stackctl token ls)')
    .action(async (ids: string[], _opts: unknown, cmd: Command) => {
      const remote = await apiClientFor(cmd);
      const revoke = remote
        ? async (id: string) => (await import('../../apiserver-client/tokens.js')).revokeApiToken(remote.kc, id)
        : (id: string) => withStore(cmd, (store) => revokeToken(store, id));
      const missing: string[] = [];
      for (const id of ids)
        if (await revoke(id)) process.stdout.write(`${id}\n`);
        else missing.push(id);
      if (missing.length) throw new CommandError(`no such token: ${missing.join(', ')}`);
    });
}
