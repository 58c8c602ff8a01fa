# Use the Docker Engine on /var/run/docker.sock, starting dockerd if none answers. Source this file.
# stop_dockerd stops it only if start_dockerd started it.

start_dockerd() {
  if docker version >/dev/null 2>&1; then
    echo "using the running Docker Engine"
    return 0
  fi
  dockerd --log-level error >/tmp/stackd-dockerd.log 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 150); do
    if docker version >/dev/null 2>&1; then
      echo "dockerd ready (pid $DOCKERD_PID)"
      return 0
    fi
    sleep 0.2
  done
  echo "dockerd did not start; log:" >&2
  tail -50 /tmp/stackd-dockerd.log >&2
  return 1
}

stop_dockerd() {
  if [ -n "${DOCKERD_PID:-}" ]; then
    kill "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
    unset DOCKERD_PID
  fi
}
