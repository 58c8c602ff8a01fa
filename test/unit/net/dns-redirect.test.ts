import { dnsJumps, dnsRedirectRules } from '../../../src/net/dns-redirect.js';
import { clusterNames } from '../../../src/net/host-names.js';
import { jumpScript } from '../../../src/net/ingress-rules.js';

describe('dnsRedirectRules', () => {
  const names = clusterNames('cluster-a'); // tag 34ab

  it("redirects DNS to a local address from the cluster's bridges (by prefix, and legacy ones by name) to its resolver's ports", () => {
    expect(dnsRedirectRules(names, { udp: 40001, tcp: 40002 }, ['sdbr4097']).split('\n')).toEqual([
      '*nat',
      ':STACKD-34AB-DNS - [0:0]',
      '-A STACKD-34AB-DNS -i sdb34ab+ -p udp -m udp --dport 53 -m addrtype --dst-type LOCAL -m comment --comment "stackd 34ab dns" -j REDIRECT --to-ports 40001',
      '-A STACKD-34AB-DNS -i sdb34ab+ -p tcp -m tcp --dport 53 -m addrtype --dst-type LOCAL -m comment --comment "stackd 34ab dns" -j REDIRECT --to-ports 40002',
      '-A STACKD-34AB-DNS -i sdbr4097 -p udp -m udp --dport 53 -m addrtype --dst-type LOCAL -m comment --comment "stackd 34ab dns" -j REDIRECT --to-ports 40001',
      '-A STACKD-34AB-DNS -i sdbr4097 -p tcp -m tcp --dport 53 -m addrtype --dst-type LOCAL -m comment --comment "stackd 34ab dns" -j REDIRECT --to-ports 40002',
      'COMMIT',
      '',
    ]);
  });

  it("jumps into the cluster's own chain, checked first", () => {
    expect(jumpScript(dnsJumps(names))).toBe(
      "{ iptables -t nat -C PREROUTING -m comment --comment 'stackd 34ab dns' -j STACKD-34AB-DNS 2>/dev/null || iptables -t nat -I PREROUTING 1 -m comment --comment 'stackd 34ab dns' -j STACKD-34AB-DNS; }",
    );
  });
});
