// The etcd3 client options for TLS and etcd's user/password authentication.
import type { IOptions } from 'etcd3';
import type { EtcdSecurity } from './connect.js';

/** The client's hosts, https:// when TLS is on, and its credentials and auth options. */
export function etcdSecurityOptions(endpoints: string[], security: EtcdSecurity = {}): { hosts: string[] } & Pick<IOptions, 'credentials' | 'auth'> {
  const scheme = security.tls ? 'https' : 'http';
  const hosts = endpoints.map((e) => (/^https?:\/\//.test(e) ? e : `${scheme}://${e}`));
  const options: { hosts: string[] } & Pick<IOptions, 'credentials' | 'auth'> = { hosts };
  if (security.tls) {
    muteIpServerNameWarning();
    // rootCertificate undefined: gRPC then trusts the system's CAs
    options.credentials = { rootCertificate: security.tls.ca as Buffer, privateKey: security.tls.key, certChain: security.tls.cert };
  }
  if (security.auth) options.auth = { ...security.auth };
  return options;
}

/** gRPC connects to "127.0.0.1:2379" with the IP as TLS server name, and Node warns about that on
 *  stderr (DEP0123) each time; the certificate is still checked against the IP, so say nothing. */
export function muteIpServerNameWarning(): void {
  if (muted) return;
  muted = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const code = typeof rest[0] === 'object' ? (rest[0] as { code?: string } | null)?.code : rest[1];
    if (code !== 'DEP0123') emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
let muted = false;

/** A TLS handshake failure, said so the operator knows which file to fix; undefined for other
 *  errors. These never heal by retrying. */
export function tlsFailure(message: string): string | undefined {
  if (/alert bad certificate|alert certificate required|alert unknown ca|alert certificate unknown/i.test(message)) {
    return 'etcd refused the TLS handshake: give a client certificate signed by the CA etcd trusts (--store-cert and --store-key)';
  }
  if (/unable to verify the first certificate|self.signed certificate|unable to get local issuer certificate/i.test(message)) {
    return "etcd's certificate is not signed by a CA stackd trusts: give that CA with --store-cacert";
  }
  if (/Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME_INVALID/i.test(message)) {
    return "etcd's certificate does not name the host in the store URL";
  }
  if (/wrong version number|packet length too long|http\/1\.1 header/i.test(message)) {
    return 'etcd does not speak TLS on that port: use etcd:// or point at its https client URL';
  }
  return undefined;
}
