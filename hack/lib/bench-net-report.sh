# The table hack/bench-net.sh prints (markdown, so a run pastes into the README): medians over the
# rounds of FIG[SYS,CASE] lines ("REQ/S P50 P99 LOAD ERRORS", kills "SECONDS BAD LOAD"), n/a with
# a numbered note giving REASON[SYS,CASE] otherwise. Needs SYSTEMS, ROUNDS, START_LOAD.

NOTES=()
# median FIELD SYS CASE: the median of field FIELD over the rounds, empty when never measured
median() {
  awk -v k="$1" 'NF >= k { print $k }' <<<"${FIG[$2,$3]:-}" | sort -n |
    awk '{ v[NR] = $1 } END { if (NR) printf "%.4g", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# sum FIELD SYS CASE
sum() { awk -v k="$1" 'NF { s += $k } END { print s + 0 }' <<<"${FIG[$2,$3]:-}"; }
# na SYS CASE: sets CELL to "n/a [N]" with the reason as note N (one note per distinct reason);
# not called in $(...), which would lose the note
na() {
  local why="$1: ${REASON[$1,$2]:-not measured}" i
  [[ " $SYSTEMS " == *" $1 "* ]] || why="$1: not measured (BENCH_SYSTEMS)"
  for i in "${!NOTES[@]}"; do [ "${NOTES[$i]}" != "$why" ] || { CELL="n/a [$((i + 1))]"; return; }; done
  NOTES+=("$why")
  CELL="n/a [${#NOTES[@]}]"
}
ratio() { [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }' || echo -; }
# load at the row's measurements (both systems')
row_load() { printf '%s\n%s' "${FIG[swarm,$1]:-}" "${FIG[stackd,$1]:-}" | awk -v k="$2" 'NF { print $k }' | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }

load_row() {
  local label=$1 c=$2 sys cells=() r=()
  for sys in swarm stackd; do
    if [ -n "${FIG[$sys,$c]:-}" ]; then
      r+=("$(median 1 "$sys" "$c")" "$(median 2 "$sys" "$c")")
      local errs; errs=$(sum 5 "$sys" "$c")
      [ "$errs" -eq 0 ] || { NOTES+=("$sys $c: $errs failed requests (not counted)"); r[-2]+=" [${#NOTES[@]}]"; }
      cells+=("${r[-2]}" "${r[-1]}" "$(median 3 "$sys" "$c")")
    else
      na "$sys" "$c"
      r+=("" ""); cells+=("$CELL" "" "")
    fi
  done
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "${cells[@]}" \
    "$(ratio "${r[2]%% *}" "${r[0]%% *}")" "$(ratio "${r[3]}" "${r[1]}")" "$(row_load "$c" 4)"
}

kill_row() { # kill_row LABEL CASE [sick]
  local label=$1 c=${3:-kill}-$2 sys cells=() s=()
  for sys in swarm stackd; do
    if [ -n "${FIG[$sys,$c]:-}" ]; then
      s+=("$(median 1 "$sys" "$c")"); cells+=("${s[-1]} s ($(median 2 "$sys" "$c") bad)")
      local judged; judged=$(median 4 "$sys" "$c")
      [ -z "$judged" ] || cells[-1]+="; $judged s from the engine's verdict"
    else
      na "$sys" "$c"
      s+=(""); cells+=("$CELL")
    fi
  done
  printf '| %s | %s | %s | %s | %s |\n' "$label" "${cells[@]}" "$(ratio "${s[1]}" "${s[0]}")" "$(row_load "$c" 3)"
}

# what a load balancer or the mesh adds to the direct path, within one system: the baseline for
# cases the other system cannot run here (Swarm's VIP and mesh need IPVS)
overhead_row() {
  printf '| %s | %s | %s |\n' "$1" "$(ratio "$(median 2 swarm "$2")" "$(median 2 swarm ip)")" "$(ratio "$(median 2 stackd "$2")" "$(median 2 stackd ip)")"
}

report() {
  echo
  echo "network benchmark: $(nproc) cpus, $ROUNDS round(s)$([ "$ROUNDS" -eq 1 ] || echo ', medians'), load average at start $START_LOAD, at end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "client on node A, 2 web tasks on node B (busybox httpd, a new connection per request); req/s at concurrency 8, latency at 1"
  echo
  echo '| case | Swarm req/s | p50 ms | p99 ms | stackd req/s | p50 ms | p99 ms | stackd/Swarm req/s | p50 | load |'
  echo '|---|---|---|---|---|---|---|---|---|---|'
  load_row '(a) container IP' ip
  load_row '(b) service VIP' vip
  load_row "(b') DNS round robin (dnsrr)" dnsrr
  load_row '(c) routing mesh via node C' mesh
  echo
  echo '| kill one of 2 tasks: until no request fails or reaches it | Swarm | stackd | stackd/Swarm | load |'
  echo '|---|---|---|---|---|'
  kill_row 'by service VIP' vip
  kill_row 'by DNS round robin (dnsrr)' dnsrr
  kill_row 'through the routing mesh (node C)' mesh
  kill_row 'healthcheck fails (from `touch /tmp/sick`; interval 1 s), by VIP' vip sick
  kill_row 'healthcheck fails, by DNS round robin' dnsrr sick
  echo
  echo '| p50 latency over (a) container IP, same system | Swarm | stackd |'
  echo '|---|---|---|'
  overhead_row '(b) service VIP' vip
  overhead_row "(b') DNS round robin" dnsrr
  overhead_row '(c) routing mesh via node C' mesh
  local i
  [ ${#NOTES[@]} -eq 0 ] || echo
  for i in "${!NOTES[@]}"; do echo "[$((i + 1))] ${NOTES[$i]}"; done
}
