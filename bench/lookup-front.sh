#!/usr/bin/env bash
# Issue 16: start-up of `ports` before and after the native look-up front, with `hyperfine -N -w 3 -r RUNS`, medians.
#   bench/lookup-front.sh BEFORE_BIN AFTER_BIN [RUNS=31]
# BEFORE_BIN: a native `ports` without the front (the full binary); AFTER_BIN: the front, with ports-full beside it.
# Rows: look-ups (JSON and table) against `getent services 443/tcp`; commands the front hands over (--version, a
# connect scan of one port on 127.0.0.1 that this script opens itself); the ./ports launcher against the binary it
# starts. Sends packets only to that one port on 127.0.0.1.
set -euo pipefail
before=$1 after=$2 runs=${3:-31}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d); listener=""
trap '[ -z "$listener" ] || kill "$listener"; rm -rf "$work"' EXIT
export PORTATLAS_SAFE_TARGETS=1 PORTATLAS_DNS_SERVERS=198.18.6.2 XDG_DATA_HOME="$work/data" NO_COLOR=1
port=47311
python3 "$here/tests/lab/accept-listener.py" 127.0.0.1 "$port" & listener=$!
sleep 0.5
cd "$work"
run() { # name, commands...
  local name=$1; shift
  echo "load before $name: $(cut -d' ' -f1 /proc/loadavg)" >&2
  hyperfine -N -w 3 -r "$runs" --export-json "$work/$name.json" "$@" >/dev/null 2>&1
  python3 - "$work/$name.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"| `{r['command']}` | {r['median'] * 1000:.1f} | {min(r['times']) * 1000:.1f} |")
PY
}
echo "| command | median (ms) | fastest (ms) |"
echo "|---|---|---|"
run json "$before 443 --format json" "$after 443 --format json" "getent services 443/tcp"
run table "$before 443" "$after 443" "getent services 443/tcp"
run version "$before --version" "$after --version"
run scan "$before scan 127.0.0.1 -p $port --connect -n --no-save --format json" "$after scan 127.0.0.1 -p $port --connect -n --no-save --format json"
if [ -x "$here/.build/ports/ports-full" ]; then
  "$here/ports" 443 >/dev/null   # built, outside the timings
  run launcher "$here/.build/ports/ports 443" "$here/ports 443" "$here/.build/ports/ports --version" "$here/ports --version"
fi
echo "load after: $(cut -d' ' -f1 /proc/loadavg)" >&2
