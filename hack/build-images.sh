#!/usr/bin/env bash
# Builds the local images tests and examples use (no registry is reachable here):
#   stackd/busybox:latest        Debian's busybox-static on scratch, every applet linked
#   stackd/busybox:v2, :rollout-v2, :rollout-v3
#                                more names for the same image: tests roll out to another image
#                                name (a new revision) without needing a registry
#   stackd/accounts-web:dev      the accounts example's tiers (manifests/accounts)
#   stackd/accounts-api:dev
#   stackd/mysql-standin:5.7
# Idempotent and fast: an image whose inputs (its folder under hack/images, its base) are unchanged
# is kept; each image carries the hash of its inputs as the label io.stackd.source-hash.
# Builds on the engine the docker CLI points at (DOCKER_HOST or the default socket).
set -euo pipefail
cd "$(dirname "$0")/images"
export DOCKER_BUILDKIT=0 # Debian's client has no buildx; the classic builder is enough here

if [ ! -x /bin/busybox ] || ! /bin/busybox --list | grep -qx httpd; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
fi

# hash of a folder's files (names, modes and contents), plus extra inputs given as arguments
source_hash() {
  local dir=$1; shift
  { (cd "$dir" && find . -type f -printf '%p %m\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 cat); printf '%s\n' "$@"; } |
    sha256sum | cut -c1-16
}

# build NAME REF [EXTRA_INPUT...]: builds hack/images/NAME as REF unless its hash is unchanged;
# prints the hash so dependants can include it in theirs
build() {
  local name=$1 ref=$2; shift 2
  local hash have
  hash=$(source_hash "$name" "$@")
  have=$(docker image inspect -f '{{index .Config.Labels "io.stackd.source-hash"}}' "$ref" 2>/dev/null || true)
  if [ "$have" != "$hash" ]; then
    echo "building $ref" >&2
    local out # the classic builder's deprecation notice is noise: show output only on failure
    if ! out=$(docker build -q --label "io.stackd.source-hash=$hash" -t "$ref" "$name" 2>&1); then
      echo "$out" >&2
      return 1
    fi
  fi
  echo "$hash"
}

cp -p /bin/busybox busybox/busybox # the build context needs the binary; removed after
trap 'rm -f busybox/busybox' EXIT
base=$(build busybox stackd/busybox:latest)
build accounts-web stackd/accounts-web:dev "$base" >/dev/null
build accounts-api stackd/accounts-api:dev "$base" >/dev/null
build mysql-standin stackd/mysql-standin:5.7 "$base" >/dev/null
for tag in v2 rollout-v2 rollout-v3; do docker tag stackd/busybox:latest "stackd/busybox:$tag"; done
echo "images ready: stackd/busybox:latest (also :v2 :rollout-v2 :rollout-v3) stackd/accounts-web:dev stackd/accounts-api:dev stackd/mysql-standin:5.7"
