# The measurements of hack/bench-net.sh, the same for both systems: SYS is swarm or stackd, whose
# lib defines SYS_node A|B|C, SYS_docker NODE ARGS..., SYS_filter SERVICE. Every load runs
# dist/bench/http-load.js inside the client container's network namespace on node A. Each
# function prints its figures, or "n/a" and a reason on the next line (never fails the run).

# containers of SERVICE running and healthy on node B (the server: an unhealthy or starting one
# gets no traffic on either system), one id a line
web_containers() { "$1_docker" "$("$1_node" B)" ps -q --filter "$("$1_filter" "$2")" --filter status=running --filter health=healthy; }
client_pid() {
  local id
  id=$("$1_docker" "$("$1_node" A)" ps -q --filter "$("$1_filter" client)" --filter status=running | head -1)
  [ -n "$id" ] && "$1_docker" "$("$1_node" A)" inspect -f '{{.State.Pid}}' "$id"
}
# networks of a container, "NAME IP" a line
container_nets() { "$1_docker" "$2" inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{$v.IPAddress}}{{"\n"}}{{end}}' "$3"; }

# task_ip SYS ID: the IP of node B's container ID on a network the client container is on
task_ip() {
  local sys=$1 cid nets
  cid=$("${sys}_docker" "$("${sys}_node" A)" ps -q --filter "$("${sys}_filter" client)" | head -1)
  [ -n "$cid" ] || return 0
  nets=$(container_nets "$sys" "$("${sys}_node" A)" "$cid" | awk '{ print $1 }')
  container_nets "$sys" "$("${sys}_node" B)" "$2" |
    awk -v nets="$nets" 'BEGIN { split(nets, n, "\n"); for (i in n) want[n[i]] = 1 } ($1 in want) && $2 != "" { print $2; exit }'
}
# ip_hint SYS: why a task IP may be unreachable from node A: the shared network's driver and
# scope, and whether the address is also the client's own (per-host pools overlap)
ip_hint() {
  local sys=$1 id cid net ip
  id=$(web_containers "$sys" web | head -1)
  cid=$("${sys}_docker" "$("${sys}_node" A)" ps -q --filter "$("${sys}_filter" client)" | head -1)
  [ -n "$id" ] && [ -n "$cid" ] || return 0
  ip=$(task_ip "$sys" "$id")
  net=$(container_nets "$sys" "$("${sys}_node" B)" "$id" | awk -v ip="$ip" '$2 == ip { print $1; exit }')
  printf ' (network %s: %s' "$net" "$("${sys}_docker" "$("${sys}_node" B)" network inspect -f 'driver {{.Driver}}, scope {{.Scope}}' "$net" 2>/dev/null)"
  ! container_nets "$sys" "$("${sys}_node" A)" "$cid" | awk '{ print $2 }' | grep -qx "$ip" || printf '; also the client'"'"'s own address'
  printf ')'
}
# the web tasks' IPs, comma-separated
web_ips() {
  local id ips=()
  for id in $(web_containers "$1" web); do ips+=("$(task_ip "$1" "$id")"); done
  local IFS=,
  echo "${ips[*]}"
}

# http_load SYS ARGS...: http-load.js (from the host's file system) in the client container's
# network namespace, resolving through the container's resolv.conf
http_load() {
  local sys=$1 pid
  pid=$(client_pid "$sys") || { echo '{"error":"no client container"}'; return; }
  nsenter --net="/proc/$pid/ns/net" node dist/bench/http-load.js "${@:2}" --resolv-conf "/proc/$pid/root/etc/resolv.conf" 2>&1 || true
}
# json FIELD < JSON: one field of http-load's output ("" when absent)
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const v=JSON.parse(s)[process.argv[1]];console.log(v==null?"":typeof v==="number"?+v.toFixed(2):v)}catch{console.log("")}})' "$1"; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

case_target() {
  case $2 in
    ip) local ips; ips=$(web_ips "$1"); [ -n "$ips" ] && echo "$ips:80" ;;
    vip) echo web:80 ;;
    dnsrr) echo webrr:80 ;;
    mesh) echo "$(node_address "$("$1_node" C)"):18080" ;;
  esac
}

# probe SYS TARGET: 4 requests, so that a case that does not work yet costs little; when none
# succeeds prints "n/a" and the reason (the first error) and returns 1
probe() {
  local out ok why
  out=$(http_load "$1" load --target "$2" --requests 4 --concurrency 1 --timeout 1000)
  ok=$(( $(json requests <<<"$out" | sed 's/^$/0/') - $(json errors <<<"$out" | sed 's/^$/0/') ))
  [ "$ok" -le 0 ] || return 0
  why=$( (json firstError <<<"$out"; sed -n 's/^http-load: //p' <<<"$out") | grep -m1 .) || why=$(head -c 200 <<<"$out")
  printf 'n/a\n%s: %s\n' "${2%:*}" "$why"
  return 1
}

# measure_load SYS CASE: prints "REQ/S P50 P99 LOAD ERRORS" (rate at concurrency 8, latency at
# concurrency 1; errors of both runs)
measure_load() {
  local sys=$1 target
  target=$(case_target "$sys" "$2") || true
  [ -n "$target" ] || { printf 'n/a\nno web task running on node B\n'; return; }
  local why
  if ! why=$(probe "$sys" "$target"); then
    echo "$why$([ "$2" != ip ] || ip_hint "$sys")"
    return 0
  fi
  local lat rate load
  load=$(loadavg)
  lat=$(http_load "$sys" load --target "$target" --requests "$REQUESTS" --seconds "$SECONDS_PER_RUN" --concurrency 1)
  rate=$(http_load "$sys" load --target "$target" --requests "$REQUESTS" --seconds "$SECONDS_PER_RUN" --concurrency 8)
  echo "$(json rps <<<"$rate") $(json p50 <<<"$lat") $(json p99 <<<"$lat") $load $(( $(json errors <<<"$lat") + $(json errors <<<"$rate") ))"
}

# measure_kill SYS CASE (vip|dnsrr|mesh) [sick]: a request every 20 ms (1 s timeout) while one of
# the service's two tasks on node B is killed (with `sick`: its healthcheck made to fail); prints "SECONDS BAD LOAD": from the kill to the first
# good request after the last one that failed or reached the victim, and how many did (with `sick`
# a fourth field: the same from the engine's unhealthy verdict). Then waits
# for the service to have two running tasks again, for the next case.
measure_kill() {
  local sys=$1 svc=web target victim host n killed_at removal
  [ "$2" != dnsrr ] || svc=webrr
  target=$(case_target "$sys" "$2")
  [ "$2" != ip ] || { printf 'n/a\nnot a case\n'; return; }
  probe "$sys" "$target" || return 0
  n=$(web_containers "$sys" "$svc" | wc -l)
  [ "$n" -ge 2 ] || { printf 'n/a\n%s task(s) of %s running on node B, 2 needed\n' "$n" "$svc"; return; }
  victim=$(web_containers "$sys" "$svc" | head -1)
  host=$("${sys}_docker" "$("${sys}_node" B)" inspect -f '{{.Config.Hostname}}' "$victim")
  # with dnsrr the client connects to task IPs: a failure at another one is not the victim's
  # (read now: a dead container has no address)
  local direct=()
  [ "$2" != dnsrr ] || direct=(--victim-addr "$(task_ip "$sys" "$victim")")
  local samples="$BENCH_DIR/kill-$sys-$2${3:+-$3}.json" load
  http_load "$sys" watch --target "$target" --seconds "$KILL_WINDOW" --interval 20 --timeout 1000 >"$samples" &
  local watcher=$!
  sleep 2
  load=$(loadavg)
  killed_at=$(awk -v t="$EPOCHREALTIME" 'BEGIN { printf "%.3f", t * 1000 }')
  if [ "${3:-}" = sick ]; then
    "${sys}_docker" "$("${sys}_node" B)" exec "$victim" touch /tmp/sick
  else
    "${sys}_docker" "$("${sys}_node" B)" kill "$victim" >/dev/null
  fi
  wait "$watcher" || true
  removal=$(node dist/bench/http-load.js removal --samples "$samples" --killed-at "$killed_at" --victim "$host" "${direct[@]}" 2>&1)
  # with `sick`: also from the engine's verdict (its health_status event), which the touch
  # precedes by up to the interval plus the probe's own exec (seconds on a loaded machine)
  local verdict="" judged_at
  if [ "${3:-}" = sick ]; then
    judged_at=$("${sys}_docker" "$("${sys}_node" B)" events --since "$(awk -v t="$killed_at" 'BEGIN { printf "%.3f", t / 1000 }')" --until "$(date +%s.%N)" \
      --filter "container=$victim" --filter event=health_status --format '{{.TimeNano}} {{.Action}}' | awk '/unhealthy/ { printf "%.3f", $1 / 1e6; exit }')
    [ -z "$judged_at" ] || verdict=$(node dist/bench/http-load.js removal --samples "$samples" --killed-at "$judged_at" --victim "$host" "${direct[@]}" 2>&1)
  fi
  two_running() { [ "$(web_containers "$sys" "$svc" | wc -l)" -ge 2 ]; }
  wait_until 60 two_running || echo "  $sys: $svc did not get back to 2 tasks" >&2
  case $removal in
    null) printf 'n/a\nstill reached the killed task at the end of the %s s window\n' "$((KILL_WINDOW - 2))" ;;
    *'"victimBefore":0'*) printf 'n/a\nthe killed task answered no request before the kill\n' ;;
    '{'*) echo "$(awk -v ms="$(json ms <<<"$removal")" 'BEGIN { printf "%.2f", ms / 1000 }') $(json bad <<<"$removal") $load$([[ "$verdict" != '{'* ]] || awk -v ms="$(json ms <<<"$verdict")" 'BEGIN { printf " %.2f", ms / 1000 }')" ;;
    *) printf 'n/a\n%s\n' "$(head -c 200 "$samples")" ;;
  esac
}
