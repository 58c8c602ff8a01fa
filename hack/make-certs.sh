#!/usr/bin/env bash
# A local CA and the certificates a TLS-only etcd and stackd need, made with openssl:
#   ca.crt/ca.key           the CA (10 years; keep ca.key off the servers)
#   server.crt/server.key   etcd's serving and peer certificate, for localhost, 127.0.0.1 and the
#                           extra names given (DNS names or IPs), with both server and client usage
#   client.crt/client.key   a client certificate for stackd and stackctl (CN=stackd)
#   root.crt/root.key       a client certificate with CN=root, for etcdctl to manage etcd's auth
# Usage: hack/make-certs.sh DIR [NAME...]   (existing files in DIR are kept, so reruns are cheap)
set -euo pipefail
dir="${1:?usage: hack/make-certs.sh DIR [extra DNS name or IP...]}"
shift
mkdir -p "$dir"
cd "$dir"

if [ ! -f ca.crt ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=stackd local CA' \
    -keyout ca.key -out ca.crt 2>/dev/null
fi

# sign NAME CN EXTENSIONS: NAME.key and NAME.crt signed by the CA
sign() {
  local name="$1" cn="$2" ext="$3"
  [ -f "$name.crt" ] && return 0
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$name.key" -out "$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
  chmod 600 "$name.key"
}

sans="DNS:localhost,IP:127.0.0.1"
for extra in "$@"; do
  if [[ "$extra" =~ ^[0-9.]+$ ]]; then sans="$sans,IP:$extra"; else sans="$sans,DNS:$extra"; fi
done
sign server etcd "basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$sans"
sign client stackd "basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
sign root root "basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
echo "certificates in $dir"
