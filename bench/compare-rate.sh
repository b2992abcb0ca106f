#!/usr/bin/env bash
# Issue 16 side by side: the real CLI (`ports scan`, the native binary ./ports builds) against nmap, alternating runs,
# same targets, as root. Every run's open set is compared with the peer's run next to it.
#   A. the lab /24 (198.18.1.0/24) x ports 1-1000, SYN            vs nmap -sS -T4
#   B. all TCP ports of 127.0.0.1 in a namespace of our own with 20 listeners, default technique as root
#                                                                 vs nmap -sS -T4
#   C. the same with --syn (SYN forced)                           vs nmap -sS -T4
#   D. the same, connect                                          vs nmap -sT -T4
#   E. one lab host (198.18.0.2), all TCP ports, clean, SYN       vs nmap -sS -T4
#   F. E with 20 ms delay + 1% loss each way (re-runs $LAB/up.sh --delay 20 --loss 1, then plain $LAB/up.sh right
#      after), max(runs, 5) runs                                  vs nmap -sS -T4   (also: our packets vs E's)
#   S. send-path limit (bench/PortAtlas.RawHarness --send-only): sendmmsg packets/s on loopback (own namespace) and on
#      the veth to the lab host 198.18.0.2 (which answers each SYN with an RST)
# Prints markdown rows: median wall time, ratio ours/peer, min-max of ours, open sets equal run by run, our peak rate
# and packets. Ours runs with -n (no reverse DNS, as nmap's -n; before issue 16's sweep round ours resolved the names
# of every host found up and nmap did not) and -d (its phase times go to stderr with the last run's notes). Every packet goes to 127.0.0.0/8 inside our namespace or to the lab (198.18.0.0/15).
# Usage: bench/compare-rate.sh [runs=3] [scenarios=ABCDEF] ; LAB=/path/to/tests/lab (default: /work/main's, whose
# up.sh brought the shared lab up; this tree's when that is absent)
set -euo pipefail
runs=${1:-3}
scenarios=${2:-ABCDEF}
here=$(cd "$(dirname "$0")/.." && pwd)
lab=${LAB:-/work/main/tests/lab}
[ -x "$lab/up.sh" ] || lab=$here/tests/lab
[ "$(id -u)" -eq 0 ] || { echo "compare-rate.sh: needs root" >&2; exit 2; }
# Refuse any destination outside loopback and the lab, DNS servers included (ours runs with -n like nmap anyway).
export PORTATLAS_SAFE_TARGETS=1
"$here/ports" --version >/dev/null          # build once, outside the timings
ports_bin=$here/.build/ports/ports
work=$(mktemp -d)
cd "$work"   # nmap may leave files where it runs
ns=pa-h-perf2-$$
cleanup() {
  if ip netns list | grep -qw "$ns"; then
    for p in $(ip netns pids "$ns"); do kill "$p" 2>/dev/null || true; done
    ip netns del "$ns"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

open_set() { awk -F'\t' '/^Host: /{split($1,h," "); for(i=2;i<=NF;i++) if ($i ~ /^Ports: /){n=split(substr($i,8),p,", "); for(j=1;j<=n;j++){split(p[j],f,"/"); if(f[2]=="open") print h[2]":"f[1]}}}' "$1" | sort -u; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# "packets, at up to R per second" from our rate note on stderr.
packets() { sed -n 's/.*: \([0-9,]*\) packets, at up to \([0-9,]*\) per second.*/\1 \2/p' "$1" | tr -d ',' | tail -1; }

echo "| row | runs | ours median (s) | ours min-max (s) | peer | peer median (s) | ours / peer | same open set | open | ours peak pps (median) | ours packets (median) | load avg |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
compare() { # name, prefix, our args, peer args
  local name=$1 prefix=$2 ours=$3 theirs=$4 n=${5:-$runs} same=0 i
  : >"$work/t.ours"; : >"$work/t.peer"; : >"$work/pk"; : >"$work/load"
  for i in $(seq "$n"); do
    cut -d' ' -f1 /proc/loadavg >>"$work/load"
    /usr/bin/time -a -o "$work/t.peer" -f "%e %M" $prefix nmap $theirs -oG "$work/peer.$i" >/dev/null
    /usr/bin/time -a -o "$work/t.ours" -f "%e %M" $prefix "$ports_bin" scan $ours -n -d --no-save --format grep --no-progress >"$work/ours.$i" 2>"$work/ours.$i.err" || true
    open_set "$work/peer.$i" >"$work/peer.$i.open"; open_set "$work/ours.$i" >"$work/ours.$i.open"
    if cmp -s "$work/peer.$i.open" "$work/ours.$i.open"; then same=$((same + 1)); else
      echo "    $name, run $i: nmap $(wc -l <"$work/peer.$i.open") open, ours $(wc -l <"$work/ours.$i.open")" >&2; fi
    packets "$work/ours.$i.err" >>"$work/pk"
  done
  local to tp lo hi pr pk
  to=$(awk '{print $1}' "$work/t.ours" | median); tp=$(awk '{print $1}' "$work/t.peer" | median)
  lo=$(awk '{print $1}' "$work/t.ours" | sort -n | head -1); hi=$(awk '{print $1}' "$work/t.ours" | sort -n | tail -1)
  pk=$(awk '{print $1}' "$work/pk" | median 2>/dev/null || true); pr=$(awk '{print $2}' "$work/pk" | median 2>/dev/null || true)
  local ratios; ratios=$(paste -d' ' "$work/t.ours" "$work/t.peer" | awk '{printf "%s%.2f", (NR>1?", ":""), $1/$3}')
  echo "| $name | $n | $to | $lo-$hi | nmap $(echo "$theirs" | awk '{print $1}') | $tp | $(awk -v a="$to" -v b="$tp" 'BEGIN{printf "%.2f", a/b}') (runs: $ratios) | $same/$n | $(wc -l <"$work/ours.1.open") | ${pr:--} | ${pk:--} | $(paste -sd' ' "$work/load") |"
  echo "    $name: ours $(paste -sd' ' "$work/t.ours" | tr '\n' ' ') peer $(paste -sd' ' "$work/t.peer")" >&2
  sed 's/^/    ours: /' "$work/ours.$n.err" >&2
}

lab_up() { [ -e /run/netns/pa-lab ] && [ -e /run/netns/pa-sweep ]; }
if [[ $scenarios == *A* ]] && lab_up; then
  compare "A. lab /24 x 1-1000, SYN" "" "198.18.1.0/24 -p 1-1000 --syn" "-sS -p 1-1000 -T4 -n 198.18.1.0/24"
fi
if [[ $scenarios =~ [BCD] ]]; then
  ip netns add "$ns"; ip netns exec "$ns" ip link set lo up
  # One process, 20 listeners that accept and close (a listener that never accepts fills its queue after enough
  # connect scans and then drops SYNs, which would turn open ports filtered in later runs).
  ip netns exec "$ns" timeout 3600 python3 "$here/tests/lab/accept-listener.py" 127.0.0.1 22 25 53 80 110 143 443 445 993 995 1433 3306 3389 5432 5900 6379 8000 8080 27017 31337 &
  sleep 1
  [[ $scenarios == *B* ]] && compare "B. 127.0.0.1 (own namespace) -p-, default as root" "ip netns exec $ns" "127.0.0.1 -p-" "-sS -p- -T4 -n -Pn 127.0.0.1"
  [[ $scenarios == *C* ]] && compare "C. 127.0.0.1 (own namespace) -p-, --syn" "ip netns exec $ns" "127.0.0.1 -p- --syn" "-sS -p- -T4 -n -Pn 127.0.0.1"
  [[ $scenarios == *D* ]] && compare "D. 127.0.0.1 (own namespace) -p-, --connect" "ip netns exec $ns" "127.0.0.1 -p- --connect" "-sT -p- -T4 -n -Pn 127.0.0.1"
fi
if [[ $scenarios == *E* ]] && lab_up; then
  compare "E. lab host 198.18.0.2 -p-, clean, SYN" "" "198.18.0.2 -p- --syn" "-sS -p- -T4 -n -Pn 198.18.0.2"
fi
if [[ $scenarios == *F* ]] && lab_up; then
  # Impaired only for this row: the plain lab comes back on any exit.
  trap '"$lab/up.sh" >"$work/up.log" 2>&1; cleanup' EXIT
  "$lab/up.sh" --delay 20ms --loss 1% >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
  compare "F. lab host 198.18.0.2 -p-, 20 ms + 1% loss each way, SYN" "" "198.18.0.2 -p- --syn" "-sS -p- -T4 -n -Pn 198.18.0.2" "$((runs > 5 ? runs : 5))"
  "$lab/up.sh" >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
  trap cleanup EXIT
fi
if [[ $scenarios == *S* ]]; then
  export PORTATLAS_SAFE_TARGETS=1
  harness=$here/bench/PortAtlas.RawHarness/bin/Release/net10.0/PortAtlas.RawHarness
  [ -x "$harness" ] || dotnet build "$here/bench/PortAtlas.RawHarness" -c Release --nologo -v quiet >/dev/null
  ip netns list | grep -qw "$ns" || { ip netns add "$ns"; ip netns exec "$ns" ip link set lo up; }
  for i in $(seq "$runs"); do
    echo "    load $(cut -d' ' -f1 /proc/loadavg)" >&2
    ip netns exec "$ns" "$harness" --send-only 500000 127.0.0.1
    # The veth to the lab host, whose kernel answers every SYN with an RST (the shared lab: kept short).
    lab_up && "$harness" --send-only 300000 198.18.0.2 || true
  done
fi
