# Helpers to assemble a minimal root file system from this machine's own files, for images built
# FROM scratch (no registry, so no base image to pull). Source it; every function takes the rootfs
# folder first.

# rootfs_binary ROOTFS SRC DEST: copies the executable SRC to ROOTFS/DEST (stripped when `strip` is
# there: Node's binary carries debug info) and the shared libraries it needs.
rootfs_binary() {
  local rootfs=$1 src=$2 dest=$3
  mkdir -p "$rootfs/$(dirname "$dest")"
  cp -L "$src" "$rootfs/$dest"
  if command -v strip >/dev/null; then strip --strip-unneeded "$rootfs/$dest" 2>/dev/null || true; fi
  rootfs_libs "$rootfs" "$rootfs/$dest"
}

# rootfs_libs ROOTFS FILE...: copies the shared libraries `ldd` names for each ELF FILE (and the
# dynamic loader) to the same paths under ROOTFS. Static binaries need none.
rootfs_libs() {
  local rootfs=$1 file lib
  shift
  for file in "$@"; do
    # "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
    for lib in $(ldd "$file" 2>/dev/null | grep -o '/[^ ]*' || true); do
      [ -e "$rootfs$lib" ] && continue
      mkdir -p "$rootfs$(dirname "$lib")"
      cp -L "$lib" "$rootfs$lib"
    done
  done
}

# rootfs_base ROOTFS: the few files a process expects: /tmp, root's home and passwd entry, name
# resolution from /etc/hosts then DNS (the engine provides both files at run time).
rootfs_base() {
  local rootfs=$1
  mkdir -p "$rootfs/tmp" "$rootfs/root" "$rootfs/etc"
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
}

# rootfs_hash FILE_OR_DIR...: a short hash of names and contents, to skip rebuilding an image
# whose inputs did not change
rootfs_hash() {
  find "$@" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
}
