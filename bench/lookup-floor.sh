#!/usr/bin/env bash
# Issue 16: the floor under `ports 443` on this machine. Builds a C hello world (gcc -O2, dynamic and static) and Native
# AOT hello worlds with the look-up front's settings (bench/lookup-floor: Console, or write(2) with and without
# OptimizationPreference=Size, UseSystemResourceKeys, no stack-trace data, no background GC), then times them beside
# getent and the given `ports` binaries: hyperfine -N medians over ROUNDS rounds, and perf stat task-clock and page faults.
#   bench/lookup-floor.sh [PORTS_BIN...]        (RUNS=51 ROUNDS=3 by default)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${RUNS:-51} rounds=${ROUNDS:-3}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/hello-c" "$here/lookup-floor/hello.c"
gcc -O2 -static -o "$work/hello-c-static" "$here/lookup-floor/hello.c"
publish() { # name, extra properties
  local name=$1; shift
  dotnet publish "$here/lookup-floor/Hello.csproj" -c Release -r linux-x64 -p:PublishAot=true -o "$work/$name" \
    --nologo -v quiet "$@" >/dev/null
}
publish aot-console
publish aot-write -p:RawWrite=true
publish aot-write-small -p:RawWrite=true -p:OptimizationPreference=Size -p:UseSystemResourceKeys=true \
  -p:StackTraceSupport=false -p:ConcurrentGarbageCollection=false
cmds=("$work/hello-c" "$work/hello-c-static" "$work/aot-console/Hello" "$work/aot-write/Hello" "$work/aot-write-small/Hello"
  "getent services 443/tcp")
for bin in "$@"; do
  # The rounds run inside the work directory: a relative path would name nothing there.
  [[ -x $bin ]] || { echo "lookup-floor: $bin: not an executable file" >&2; exit 2; }
  cmds+=("$(realpath "$bin") 443 --format json")
done
cd "$work"
for round in $(seq "$rounds"); do
  cut -d' ' -f1 /proc/loadavg >>"$work/load"
  hyperfine -N -w 5 -r "$runs" --export-json "$work/$round.json" "${cmds[@]}" >/dev/null 2>&1
done
python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
rows = {}
for r in range(1, rounds + 1):
    for res in json.load(open(f"{work}/{r}.json"))["results"]:
        rows.setdefault(res["command"].replace(work + "/", ""), []).append(res["median"] * 1000)
print("| command | median per round (ms) | median of rounds (ms) |")
print("|---|---|---|")
for command, medians in rows.items():
    print(f"| `{command}` | {' / '.join(f'{m:.2f}' for m in medians)} | {statistics.median(medians):.2f} |")
loads = [float(l) for l in open(f"{work}/load")]
print(f"\nload average (1 min) before each round: {min(loads):.1f} to {max(loads):.1f}")
PY
echo
echo "| command | task-clock, mean of $runs (ms) | page faults |"
echo "|---|---|---|"
for command in "${cmds[@]}"; do
  # shellcheck disable=SC2086 # each command is a program and its arguments
  perf stat -r "$runs" -x, -e task-clock,page-faults $command 2>&1 >/dev/null \
    | awk -F, -v c="${command//$work\//}" '/task-clock/ {t=$1} /page-faults/ {p=$1} END {printf "| `%s` | %.2f | %d |\n", c, t, p}'
done
