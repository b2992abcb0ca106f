#!/usr/bin/env bash
# Scaling table (issues 16 and 17): wall time and peak RSS of `ports scan` for 1, 256, 4096 and 65,536 hosts x the top
# 100 TCP ports, against answering hosts, closed hosts (RST) and silent space in the lab, for two builds alternating in
# the same run (BASE, e.g. main, and NEW, this tree), so that the machine's load falls on both alike.
#
#   bench/compare-scale.sh [runs=3] [sizes="1 256 4096 65536"] [kinds="answering rst silent"]
#   BASE=/path/to/base/net10.0 NEW=/path/to/new/net10.0 (directories holding ports.dll; NEW defaults to this tree's
#   Release build, BASE to NEW alone)
#   SCALE_LOCK=/path/to/lockfile: each row (its listeners included) holds this lock (flock) while it runs, so that others
#   measuring pa-rst or pa-dark can take turns between rows instead of waiting for the whole table
#
# SCALE_TIMEOUT=seconds: the time limit of one run (default 900).
#
# Targets (tests/lab/up.sh and tests/lab/scale.sh must be up):
#   answering  pa-rst's addresses (as rst below) while `tests/lab/scale.sh listen on` runs listeners there on 22, 80
#              and 443: every host answers SYN-ACK on those three of the top 100 and RST on the other 97. The listeners
#              run only for these rows (scale.sh listen off after them, and on any exit).
#   rst        pa-rst: 198.18.64.1, 198.18.64.0/24, 198.18.64.0/20, and for 65,536 all of its 61,440 addresses
#   silent     pa-dark: 198.19.0.1, 198.19.0.0/24, 198.19.0.0/20, 198.19.0.0/16
#   loop-rst   beyond the lab's 131,072 addresses: 127.64.0.0/N inside a network namespace this script creates (only `lo`
#              up, nothing listening), where every address of 127/8 answers RST; sizes up to 1,048,576 (/12)
#   loop-silent the same with an nftables rule in that namespace that drops every TCP packet coming in: silent space
# Every scan is a SYN scan with -Pn (silent space is otherwise never port-scanned), -n (no reverse DNS), the history in
# a scratch SQLite file and JSON on stdout, so the save and the report are part of the figure. Each run has a time
# limit (timeout 900). Prints a markdown table with medians, the ratio NEW/BASE, /proc/loadavg at each row, and whether
# every run of both builds gave the same state counts (open/closed/filtered).
set -euo pipefail
runs=${1:-3}
# The 65,536-host rows take minutes a run (silent space is retried): RUNS_LARGE runs of them (default 1).
runs_large=${RUNS_LARGE:-1}
sizes=${2:-"1 256 4096 65536"}
kinds=${3:-"answering rst silent"}
here=$(cd "$(dirname "$0")/.." && pwd)
export PORTATLAS_SAFE_TARGETS=1
[ "$(id -u)" -eq 0 ] || { echo "compare-scale.sh: needs root (raw sockets)" >&2; exit 2; }
[ -e /run/netns/pa-sweep ] || { echo "compare-scale.sh: the lab is not up (tests/lab/up.sh)" >&2; exit 2; }
[ -e /run/netns/pa-rst ] && [ -e /run/netns/pa-dark ] || { echo "compare-scale.sh: the scaling space is not up (tests/lab/scale.sh up)" >&2; exit 2; }
NEW=${NEW:-$here/src/PortAtlas.Cli/bin/Release/net10.0}
BASE=${BASE:-}
[ -f "$NEW/ports.dll" ] || { echo "compare-scale.sh: no ports.dll in $NEW (dotnet build src/PortAtlas.Cli -c Release)" >&2; exit 2; }
work=$(mktemp -d)
scale=$here/tests/lab/scale.sh
trap '"$scale" listen off; ip netns del "$loop_ns" 2>/dev/null || true; rm -rf "$work"' EXIT
lock_fd=
if [ -n "${SCALE_LOCK:-}" ]; then
  exec {lock_fd}>>"$SCALE_LOCK"
fi

targets() { # kind size -> target specs, or nothing when the lab has no such set
  case "$1:$2" in
    answering:*) targets rst "$2" ;;
    rst:1) echo 198.18.64.1 ;;
    rst:256) echo 198.18.64.0/24 ;;
    rst:4096) echo 198.18.64.0/20 ;;
    rst:16384) echo 198.18.64.0/18 ;;
    rst:65536) echo 198.18.16.0/20 198.18.32.0/19 198.18.64.0/18 198.18.128.0/17 ;;
    silent:1) echo 198.19.0.1 ;;
    silent:256) echo 198.19.0.0/24 ;;
    silent:4096) echo 198.19.0.0/20 ;;
    silent:16384) echo 198.19.0.0/18 ;;
    silent:65536) echo 198.19.0.0/16 ;;
    loop-*:*) python3 -c 'import math,sys; n=int(sys.argv[1]); print("127.64.0.0/%d" % (32 - int(math.log2(n))) if n & (n - 1) == 0 and n <= 1 << 20 else "")' "$2" ;;
  esac
}
loop_ns=pa-scale-loop-$$
loop_up() { # kind: the namespace for loop-* rows, with the drop rule for loop-silent only
  ip netns list | grep -qw "$loop_ns" || { ip netns add "$loop_ns"; ip netns exec "$loop_ns" ip link set lo up; }
  ip netns exec "$loop_ns" nft delete table inet pa-scale 2>/dev/null || true
  if [ "$1" = loop-silent ]; then
    ip netns exec "$loop_ns" nft add table inet pa-scale
    ip netns exec "$loop_ns" nft add chain inet pa-scale in '{ type filter hook input priority 0; }'
    ip netns exec "$loop_ns" nft add rule inet pa-scale in meta l4proto tcp drop
  fi
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# "open/closed/filtered" from the JSON report's stats.
counts() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["stats"]["states"]; print("%d/%d/%d" % (s.get("open",0), s.get("closed",0), s.get("filtered",0)))' "$1" 2>/dev/null || echo "error"; }

builds=(new)
[ -n "$BASE" ] && builds=(base new)
dir_of() { if [ "$1" = base ]; then echo "$BASE"; else echo "$NEW"; fi; }

echo "| targets | hosts | probes (hosts x 100) | base median (s) | new median (s) | new/base time | new probes/s | base peak RSS (MB) | new peak RSS (MB) | open/closed/filtered (every run) | loadavg |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for kind in $kinds; do
  for size in $sizes; do
    spec=$(targets "$kind" "$size")
    [ -n "$spec" ] || continue
    hosts=$(python3 -c 'import ipaddress,sys; print(sum(ipaddress.ip_network(t if "/" in t else t+"/32").num_addresses for t in sys.argv[1:]))' $spec)
    for b in "${builds[@]}"; do : >"$work/t.$b"; : >"$work/c.$b"; done
    [ -n "$lock_fd" ] && flock "$lock_fd"
    if [ "$kind" = answering ]; then "$scale" listen on; else "$scale" listen off; fi
    prefix=
    case $kind in loop-*) loop_up "$kind"; prefix="ip netns exec $loop_ns" ;; esac
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    n=$runs
    [ "$size" -ge 65536 ] && n=$runs_large
    for i in $(seq "$n"); do
      for b in "${builds[@]}"; do
        rm -f "$work/h.db"*
        /usr/bin/time -a -o "$work/t.$b" -f "%e %M" timeout -k 10 "${SCALE_TIMEOUT:-900}" $prefix dotnet "$(dir_of "$b")/ports.dll" scan -Pn -n --top-ports 100 \
          --db "$work/h.db" --format json $spec >"$work/out.json" 2>"$work/err.$b.$i" || echo "    $kind $size $b run $i: exit $? ($(tail -1 "$work/err.$b.$i"))" >&2
        counts "$work/out.json" >>"$work/c.$b"
      done
    done
    "$scale" listen off
    [ -n "$lock_fd" ] && flock -u "$lock_fd"
    t() { awk '{print $1}' "$work/t.$1" | median; }
    m() { awk '{print $2/1024}' "$work/t.$1" | median | xargs printf '%.0f'; }
    same=$(cat "$work"/c.* | sort -u | tr '\n' ' ')
    [ "$(cat "$work"/c.* | sort -u | wc -l)" -eq 1 ] && same="$same(same)" || same="$same(DIFFER)"
    if [ -n "$BASE" ]; then
      bt=$(t base); nt=$(t new)
      echo "| $kind $spec ($n runs) | $hosts | $((hosts * 100)) | $bt | $nt | $(awk -v a="$nt" -v b="$bt" 'BEGIN{printf "%.2f", a/b}') | $(awk -v p=$((hosts * 100)) -v t="$nt" 'BEGIN{printf "%.0f", p/t}') | $(m base) | $(m new) | $same | $load |"
    else
      nt=$(t new)
      echo "| $kind $spec ($n runs) | $hosts | $((hosts * 100)) | - | $nt | - | $(awk -v p=$((hosts * 100)) -v t="$nt" 'BEGIN{printf "%.0f", p/t}') | - | $(m new) | $same | $load |"
    fi
  done
done
