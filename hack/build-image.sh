#!/usr/bin/env bash
# Builds stackd's own images locally, FROM scratch (no registry can be reached, so there is no base
# image to pull: the root file systems are made from this machine's files, hack/lib/rootfs.sh):
#   stackd/stackd:VERSION and :latest   VERSION from package.json. This machine's node (stripped)
#       and the shared libraries ldd names, dist/ and bin/, production dependencies only (npm prune
#       --omit=dev of the installed node_modules: no network, no native rebuild), and Debian's
#       busybox-static for sh, env and mount (the agent mounts its secrets tmpfs). Entry point
#       `stackd`; `stackctl` is on the PATH too.
#   stackd/etcd:ETCD_VERSION and :latest   Debian's etcd and etcdctl (etcd-server, etcd-client)
#       with their libraries. Entry point `etcd`.
# Needs `npm ci` and `npm run build` done. Idempotent: an image whose inputs are unchanged is kept
# (the io.stackd.source-hash label). Builds on the engine the docker CLI points at.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source hack/lib/rootfs.sh
export DOCKER_BUILDKIT=0 # Debian's client has no buildx; the classic builder is enough here

[ -f dist/daemon/stackd.js ] || { echo "build-image: no dist/: run npm run build first" >&2; exit 1; }
[ -d node_modules ] || { echo "build-image: no node_modules/: run npm ci first" >&2; exit 1; }
node_bin="$(readlink -f "$(command -v node)")"
version="$(node -p 'require("./package.json").version')"
etcd_version="$(etcd --version | sed -n 's/^etcd Version: //p')"

# up_to_date REF HASH: the image exists with that source hash
up_to_date() { [ "$(docker image inspect -f '{{index .Config.Labels "io.stackd.source-hash"}}' "$1" 2>/dev/null || true)" = "$2" ]; }

# build_context DIR REF HASH: docker build of DIR (its Dockerfile) as REF, quietly unless it fails
build_context() {
  local out
  if ! out=$(docker build -q --label "io.stackd.source-hash=$3" -t "$2" "$1" 2>&1); then
    echo "$out" >&2
    return 1
  fi
}

size_mb() { docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1 / 1e6}'; }

# one build at a time (test files running in parallel both ask): the second then finds it up to date
exec 9>/tmp/stackd-build-image.lock
flock 9
stage="$(mktemp -d /tmp/stackd-image.XXXXXX)"
trap 'rm -rf "$stage"' EXIT

stackd_image() {
  local ref="stackd/stackd:$version" hash start=$SECONDS
  hash="$(rootfs_hash dist bin console package.json package-lock.json "$node_bin" /bin/busybox hack/build-image.sh hack/lib/rootfs.sh)"
  if ! up_to_date "$ref" "$hash"; then
    local rootfs="$stage/stackd/rootfs" app="$stage/stackd/rootfs/opt/stackd"
    mkdir -p "$app"
    rootfs_base "$rootfs"
    cp -a package.json package-lock.json bin dist console "$app/"
    find "$app/dist" -name '*.map' -delete
    cp -a node_modules "$app/"
    (cd "$app" && npm prune --omit=dev --no-audit --no-fund >/dev/null 2>&1)
    # what Node never loads at run time: types, source maps, docs, native build leftovers and sources
    find "$app/node_modules" -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.md' \) -delete
    rm -rf "$app/node_modules/@types" "$app/node_modules/better-sqlite3/deps" "$app/node_modules/better-sqlite3/src"
    find "$app/node_modules" -path '*/build/Release/*' \( -name obj.target -o -name .deps -o -name 'test_*.node' \) -prune -exec rm -rf {} +
    local addons
    mapfile -t addons < <(find "$app/node_modules" -name '*.node' -type f)
    if [ ${#addons[@]} -gt 0 ]; then
      if command -v strip >/dev/null; then strip --strip-unneeded "${addons[@]}"; fi
      rootfs_libs "$rootfs" "${addons[@]}"
    fi
    rootfs_binary "$rootfs" "$node_bin" /usr/bin/node
    mkdir -p "$rootfs/bin" "$rootfs/usr/bin" "$rootfs/usr/local/bin"
    cp /bin/busybox "$rootfs/bin/busybox"
    for applet in sh env mount umount nsenter cat ls wget; do ln -sf /bin/busybox "$rootfs/bin/$applet"; done
    ln -sf /bin/busybox "$rootfs/usr/bin/env" # the bin scripts' `#!/usr/bin/env node`
    ln -sf /opt/stackd/bin/stackd.js "$rootfs/usr/local/bin/stackd"
    ln -sf /opt/stackd/bin/stackctl.js "$rootfs/usr/local/bin/stackctl"
    cat >"$stage/stackd/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production HOME=/root
LABEL org.opencontainers.image.title=stackd org.opencontainers.image.version=$version
EXPOSE 9464
ENTRYPOINT ["stackd"]
EOF
    build_context "$stage/stackd" "$ref" "$hash"
    echo "built $ref in $((SECONDS - start)) s" >&2
  fi
  docker tag "$ref" stackd/stackd:latest
  echo "stackd/stackd:$version (also :latest): $(size_mb "$ref")"
}

etcd_image() {
  local ref="stackd/etcd:$etcd_version" hash start=$SECONDS
  hash="$(rootfs_hash "$(readlink -f "$(command -v etcd)")" "$(readlink -f "$(command -v etcdctl)")" hack/build-image.sh hack/lib/rootfs.sh)"
  if ! up_to_date "$ref" "$hash"; then
    local rootfs="$stage/etcd/rootfs"
    rootfs_base "$rootfs"
    rootfs_binary "$rootfs" "$(command -v etcd)" /usr/local/bin/etcd
    rootfs_binary "$rootfs" "$(command -v etcdctl)" /usr/local/bin/etcdctl
    mkdir -p "$rootfs/var/lib/etcd"
    cat >"$stage/etcd/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin ETCDCTL_API=3
LABEL org.opencontainers.image.title=etcd org.opencontainers.image.version=$etcd_version
EXPOSE 2379 2380
ENTRYPOINT ["etcd"]
EOF
    build_context "$stage/etcd" "$ref" "$hash"
    echo "built $ref in $((SECONDS - start)) s" >&2
  fi
  docker tag "$ref" stackd/etcd:latest
  echo "stackd/etcd:$etcd_version (also :latest): $(size_mb "$ref")"
}

stackd_image
etcd_image
