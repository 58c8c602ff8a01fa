#!/usr/bin/env bash
# Debian packages the tests and benchmarks need. Idempotent; skips apt when all are present.
set -euo pipefail
# python3, make and g++: npm ci builds better-sqlite3 from source where no prebuilt binary can be fetched
# age (age, age-keygen): the SOPS tests cross-check our age keys and files with the real tools
# openssl: hack/make-certs.sh makes the CA and certificates of the TLS etcd tests
# openssh-server (sshd, run by the GitOps SSH fetch test on a port of its own; never as a service)
# systemd: only for systemd-analyze, which checks manifests/systemd (nothing is run under it)
# chromium: the web console's browser tests drive it headless with playwright-core (no browser download)
PACKAGES=(etcd-server etcd-client docker.io busybox-static git iproute2 sqlite3 curl python3 make g++ age openssh-server openssl systemd chromium)
# kubectl: the API server tests drive it (any kubectl will do; Debian's is kubernetes-client)
command -v kubectl >/dev/null || PACKAGES+=(kubernetes-client)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  # no package starts a service here (sshd on port 22, a second dockerd or etcd): the test scripts
  # start what they need themselves
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
