import { clusterNames } from '../../../src/net/host-names.js';
import { leaveScript } from '../../../src/net/leave.js';

describe('leaveScript', () => {
  it("deletes every copy of the cluster's jumps, then flushes and deletes its chains, and nothing else", () => {
    const script = leaveScript(clusterNames('cluster-a')); // tag 34ab
    expect(script.split('\n')).toEqual([
      "while iptables -t nat -D PREROUTING -m addrtype --dst-type LOCAL -m comment --comment 'stackd 34ab ingress' -j STACKD-34AB-INGRESS 2>/dev/null; do :; done",
      "while iptables -t nat -D OUTPUT '!' -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -m comment --comment 'stackd 34ab ingress' -j STACKD-34AB-INGRESS 2>/dev/null; do :; done",
      "while iptables -t nat -D POSTROUTING -m comment --comment 'stackd 34ab ingress' -j STACKD-34AB-INGRESS-SNAT 2>/dev/null; do :; done",
      "while iptables -t filter -D FORWARD -m comment --comment 'stackd 34ab ingress' -j STACKD-34AB-INGRESS-FWD 2>/dev/null; do :; done",
      "while iptables -t nat -D PREROUTING -m comment --comment 'stackd 34ab dns' -j STACKD-34AB-DNS 2>/dev/null; do :; done",
      '{ iptables -t nat -F STACKD-34AB-INGRESS 2>/dev/null && iptables -t nat -X STACKD-34AB-INGRESS; true; }',
      '{ iptables -t nat -F STACKD-34AB-INGRESS-SNAT 2>/dev/null && iptables -t nat -X STACKD-34AB-INGRESS-SNAT; true; }',
      '{ iptables -t nat -F STACKD-34AB-DNS 2>/dev/null && iptables -t nat -X STACKD-34AB-DNS; true; }',
      '{ iptables -t filter -F STACKD-34AB-INGRESS-FWD 2>/dev/null && iptables -t filter -X STACKD-34AB-INGRESS-FWD; true; }',
    ]);
    expect(script).not.toMatch(/ebe9|EBE9|STACKD-INGRESS /);
  });
});
