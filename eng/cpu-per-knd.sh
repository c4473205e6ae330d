#!/bin/bash
# CPU and RSS of every `knd run` under the given localnet directories over one window
# (docs/benchmarks.md): CPU = delta(utime + stime) / CLK_TCK / window, VmRSS at its end.
# usage: eng/cpu-per-knd.sh [--seconds N] DIR...
set -euo pipefail

window=60
if [ "${1:-}" = "--seconds" ]; then
  window=$2
  shift 2
fi

clk=$(getconf CLK_TCK)
declare -A start
for dir in "$@"; do
  for pid in $(pgrep -f "knd run" || true); do
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$dir/"; then
      read -r -a times < <(cut -d' ' -f14,15 "/proc/$pid/stat")
      start[$pid]=$(( times[0] + times[1] ))
    fi
  done
done

sleep "$window"
for pid in "${!start[@]}"; do
  read -r -a times < <(cut -d' ' -f14,15 "/proc/$pid/stat" 2>/dev/null) || continue
  ticks=$(( times[0] + times[1] - start[$pid] ))
  what=$(tr '\0' ' ' < "/proc/$pid/cmdline" | grep -o -- "--node-id [^ ]*\|--neard-home [^ ]*" | tr '\n' ' ')
  rss=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
  awk -v t="$ticks" -v c="$clk" -v w="$window" -v what="$what" -v rss="$rss" -v pid="$pid" \
    'BEGIN { printf "%s %s cpu=%.2f%% rss=%s MB\n", pid, what, t * 100 / c / w, rss }'
done
