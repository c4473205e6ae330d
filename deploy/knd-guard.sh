#!/bin/sh
# knd-guard: the service-manager watchdog for a knd that does not run under systemd.
#
# A frozen knd (SIGSTOP, a livelock) stops renewing; its session expires and another host takes
# over, while the frozen host's neard keeps running and can sign the same heights. Under systemd,
# WatchdogSec= kills knd and its neard in time (docs/failover-algorithm.md, "knd freezes"). This
# script does the same from outside: it reads knd's /metrics every INTERVAL and SIGKILLs knd once
# its supervision loop has not ticked for BOUND seconds (30 s before Voting, where knd holds no lock
# and neard has no key); a knd that does not answer at all counts as not ticking. The kernel's
# parent-death signal then kills neard at once. docs/operations.md ("Without systemd") gives the
# arithmetic: with the defaults neard is dead about 2 s after knd's last tick, well inside the TTL.
#
# Optionally it also feeds a kernel watchdog device (softdog) while knd ticks, so that a guard that
# dies or freezes itself reboots the host instead of leaving knd unwatched.
#
# Usage: knd-guard.sh KND_PID [EXPORTER_URL]     (EXPORTER_URL defaults to http://127.0.0.1:2233)
# Environment: KND_GUARD_BOUND (1), KND_GUARD_PRELOCK_BOUND (30), KND_GUARD_INTERVAL (0.5),
#              KND_GUARD_WATCHDOG_DEVICE (unset; e.g. /dev/watchdog after `modprobe softdog`).
# Needs: POSIX sh, curl, awk, GNU date (%N) and a sleep that takes fractions (coreutils, busybox).
# Exits 0 when knd exits on its own, 1 after killing it, 2 on bad usage.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: knd-guard.sh KND_PID [EXPORTER_URL]" >&2
    exit 2
fi

pid=$1
url=${2:-http://127.0.0.1:2233}
url=${url%/}/metrics
bound=${KND_GUARD_BOUND:-1}
prelock_bound=${KND_GUARD_PRELOCK_BOUND:-30}
interval=${KND_GUARD_INTERVAL:-0.5}
device=${KND_GUARD_WATCHDOG_DEVICE:-}

now() { date +%s.%N; }

last_ok=$(now)
last_age=0
may_lock=0
while kill -0 "$pid" 2>/dev/null; do
    if metrics=$(curl -fsS -m "$interval" "$url" 2>/dev/null); then
        last_ok=$(now)
        last_age=$(printf '%s\n' "$metrics" | awk '$1 == "knd_last_tick_age_seconds" { print $2 }')
        may_lock=$(printf '%s\n' "$metrics" | awk '($1 == "knd_state{state=\"Voting\"}" || $1 == "knd_state{state=\"Validating\"}") && $2 == 1 { found = 1 } END { print found + 0 }')
    fi

    limit=$bound
    [ "$may_lock" = 1 ] || limit=$prelock_bound
    # Silence = time since the last answer + the tick age that answer reported.
    if awk -v now="$(now)" -v ok="$last_ok" -v age="${last_age:-0}" -v limit="$limit" 'BEGIN { exit !(now - ok + age > limit) }'; then
        echo "knd-guard: knd (pid $pid) has not ticked for over ${limit}s; killing it (SIGKILL; its neard dies with it)" >&2
        kill -KILL "$pid"
        exit 1
    fi

    if [ -n "$device" ]; then
        printf '1' > "$device"
    fi

    sleep "$interval"
done

# knd is gone on its own: disarm the kernel watchdog (the magic close) so the host is not rebooted.
if [ -n "$device" ]; then
    printf 'V' > "$device"
fi
