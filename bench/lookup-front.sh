#!/usr/bin/env bash
# Issue 16: start-up of `ports` before and after the native look-up front, with `hyperfine -N -w 3 -r RUNS`, medians.
#   bench/lookup-front.sh BEFORE_BIN AFTER_BIN [RUNS=31] [ROUNDS=3]
# BEFORE_BIN: a native `ports` without the front (the full binary); AFTER_BIN: the front, with ports-full beside it.
# Rows: look-ups (JSON and table) against `getent services 443/tcp`; commands the front hands over (--version, a
# connect scan of one port on 127.0.0.1 that this script opens itself); the ./ports launcher against the binary it
# starts. Sends packets only to that one port on 127.0.0.1.
set -euo pipefail
before=$1 after=$2 runs=${3:-31} rounds=${4:-3}
launcher_before=${LAUNCHER_BEFORE:-}   # an older ./ports launcher to time against the binary it starts
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d); listener=""
trap '[ -z "$listener" ] || kill "$listener"; rm -rf "$work"' EXIT
export PORTATLAS_SAFE_TARGETS=1 PORTATLAS_DNS_SERVERS=198.18.6.2 XDG_DATA_HOME="$work/data" NO_COLOR=1
port=47311
python3 "$here/tests/lab/accept-listener.py" 127.0.0.1 "$port" & listener=$!
sleep 0.5
cd "$work"
# Each group in one hyperfine run (its commands back to back); all groups repeated ROUNDS times, so that the shared
# machine's load falls on both sides alike; the table gives each command's median per round and the median of those.
run() { # round, group, commands...
  local round=$1 group=$2; shift 2
  echo "$round $group $(cut -d' ' -f1 /proc/loadavg)" >>"$work/load"
  hyperfine -N -w 3 -r "$runs" --export-json "$work/$round.$group.json" "$@" >/dev/null 2>&1
}
[ ! -x "$here/.build/ports/ports-full" ] || "$here/ports" 443 >/dev/null   # built, outside the timings
for round in $(seq "$rounds"); do
  run "$round" json "$before 443 --format json" "$after 443 --format json" "getent services 443/tcp"
  run "$round" table "$before 443" "$after 443" "getent services 443/tcp"
  run "$round" handover "$before --version" "$after --version" \
    "$before scan 127.0.0.1 -p $port --connect -n --no-save --format json" "$after scan 127.0.0.1 -p $port --connect -n --no-save --format json"
  [ -z "$launcher_before" ] || run "$round" old-launcher "${launcher_before%/ports}/.build/ports/ports 443" "$launcher_before 443"
  if [ -x "$here/.build/ports/ports-full" ]; then
    run "$round" launcher "$here/.build/ports/ports 443" "$here/ports 443" "$here/.build/ports/ports --version" "$here/ports --version"
  fi
done
python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
loads = [float(line.split()[2]) for line in open(f"{work}/load")]
rows = {}
for group in ["json", "table", "handover", "old-launcher", "launcher"]:
    for r in range(1, rounds + 1):
        try:
            results = json.load(open(f"{work}/{r}.{group}.json"))["results"]
        except FileNotFoundError:
            continue
        for res in results:
            rows.setdefault((group, res["command"]), []).append(res["median"] * 1000)
print("| group | command | median per round (ms) | median of rounds (ms) |")
print("|---|---|---|---|")
for (group, command), medians in rows.items():
    print(f"| {group} | `{command}` | {' / '.join(f'{m:.1f}' for m in medians)} | {statistics.median(medians):.1f} |")
print(f"\nload average (1 min) before each group: {min(loads):.1f} to {max(loads):.1f}, median {statistics.median(loads):.1f}")
PY
# CPU time, which the machine's load moves less than wall time: perf stat's mean task-clock over RUNS runs.
if command -v perf >/dev/null; then
  echo
  echo "| command | CPU time, mean of $runs (ms) |"
  echo "|---|---|"
  cpu() { printf '| `%s` | %s |\n' "$*" "$(perf stat -r "$runs" -x, -e task-clock "$@" 2>&1 >/dev/null | tail -1 | cut -d, -f1)"; }
  cpu "$before" 443 --format json
  cpu "$after" 443 --format json
  # The front with the launcher's source check (PORTATLAS_SOURCE_ROOT), without the launcher.
  (export PORTATLAS_SOURCE_ROOT=$here; cpu "$after" 443 --format json | sed 's/^| `/| `PORTATLAS_SOURCE_ROOT=... /')
  cpu getent services 443/tcp
  cpu "$before" --version
  cpu "$after" --version
  if [ -n "$launcher_before" ]; then
    cpu "${launcher_before%/ports}/.build/ports/ports" 443
    cpu "$launcher_before" 443
  fi
  if [ -x "$here/.build/ports/ports-full" ]; then
    cpu "$here/.build/ports/ports" 443
    cpu "$here/ports" 443
  fi
fi
