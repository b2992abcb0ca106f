#!/usr/bin/env bash
# Side-by-side: `ports scan` (TCP connect) against `nmap -sT`, same targets, same run, alternating, as root.
#   A. all 65535 ports of 127.0.0.1 inside a namespace of our own with five listeners (never the root namespace:
#      its loopback has a listener that is not ours);
#   B. the lab host 198.18.0.2, all ports;              (needs the lab: sudo tests/lab/up.sh)
#   C. the lab's /24 (198.18.1.0/24), top 100 ports;
#   D. the lab host with 50 ms delay and 2% loss each way, ports 1-1024 (brings the lab up impaired, then plain).
# Prints a markdown table: medians, ratio ours/nmap, peak RSS, and whether both found the same open set.
# Usage: bench/compare-connect.sh [runs=5] [scenarios=ABCD]
set -euo pipefail
# Reverse DNS (issue 14) may ask only the lab's server, never the machine's resolver; the peers run with -n, and so do we.
export PORTATLAS_SAFE_TARGETS=1 PORTATLAS_DNS_SERVERS=198.18.6.2
runs=${1:-5}
scenarios=${2:-ABCD}
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/ports" --help >/dev/null            # build once, outside the timings
ports_bin=$here/.build/ports/ports
work=$(mktemp -d)
ns=pa-cmp-$$
cleanup() {
  if ip netns list | grep -qw "$ns"; then
    for p in $(ip netns pids "$ns"); do kill "$p" 2>/dev/null || true; done
    ip netns del "$ns"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"   # peers run from a scratch directory: nothing they write lands in the repository

# Open set from grepable output (ours and nmap's share the format): "address:port" lines, sorted.
open_set() { awk -F'\t' '/^Host: /{split($1,h," "); for(i=2;i<=NF;i++) if ($i ~ /^Ports: /){n=split(substr($i,8),p,", "); for(j=1;j<=n;j++){split(p[j],f,"/"); if(f[2]=="open") print h[2]":"f[1]}}}' "$1" | sort -u; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "| scenario | runs | nmap median (s) | ports median (s) | ratio | peak RSS nmap / ports (MB) | same open set | open ports |"
echo "|---|---|---|---|---|---|---|---|"
compare() { # name, prefix (e.g. "ip netns exec NS" or ""), our args, nmap args
  local name=$1 prefix=$2 ours=$3 theirs=$4 same=yes i
  : >"$work/t.nmap"; : >"$work/t.ours"
  for i in $(seq "$runs"); do
    /usr/bin/time -a -o "$work/t.nmap" -f "%e %M" $prefix nmap $theirs -oG "$work/nmap.$i" >/dev/null
    /usr/bin/time -a -o "$work/t.ours" -f "%e %M" $prefix "$ports_bin" scan $ours --no-reverse-dns --connect --no-save --format grep --no-progress >"$work/ours.$i" 2>/dev/null
    open_set "$work/nmap.$i" >"$work/nmap.$i.open"; open_set "$work/ours.$i" >"$work/ours.$i.open"
    cmp -s "$work/nmap.$i.open" "$work/ours.$i.open" || same="no (run $i: nmap $(wc -l <"$work/nmap.$i.open"), ours $(wc -l <"$work/ours.$i.open"))"
  done
  local tn to mn mo
  tn=$(awk '{print $1}' "$work/t.nmap" | median); to=$(awk '{print $1}' "$work/t.ours" | median)
  mn=$(awk '{if($2>m)m=$2} END{printf "%.0f", m/1024}' "$work/t.nmap"); mo=$(awk '{if($2>m)m=$2} END{printf "%.0f", m/1024}' "$work/t.ours")
  echo "| $name | $runs | $tn | $to | $(awk -v a="$to" -v b="$tn" 'BEGIN{printf "%.2f", a/b}') | $mn / $mo | $same | $(wc -l <"$work/ours.1.open") |"
}

if [[ $scenarios == *A* ]]; then
  ip netns add "$ns"; ip netns exec "$ns" ip link set lo up
  for port in 22 80 8000 31337 45000; do
    ip netns exec "$ns" timeout 3600 python3 -c "import socket,time;s=socket.socket();s.bind(('127.0.0.1',$port));s.listen(128);time.sleep(3600)" &
  done
  sleep 1
  compare "A. 127.0.0.1 (own namespace), -p-" "ip netns exec $ns" "127.0.0.1 -p-" "-sT -p- -T4 -n -Pn 127.0.0.1"
fi
lab_up() { [ -e /run/netns/pa-lab ] && [ -f "$here/tests/lab/manifest.tsv" ]; }
if [[ $scenarios == *B* ]] && lab_up; then
  compare "B. lab host 198.18.0.2, -p-" "" "198.18.0.2 -p-" "-sT -p- -T4 -n -Pn 198.18.0.2"
fi
if [[ $scenarios == *C* ]] && lab_up; then
  compare "C. lab /24, top 100 ports" "" "198.18.1.0/24 --top-ports 100" "-sT --top-ports 100 -T4 -n -Pn 198.18.1.0/24"
fi
if [[ $scenarios == *D* ]] && lab_up; then
  "$here/tests/lab/up.sh" --delay 50ms --loss 2% >"$work/up.log" 2>&1
  compare "D. lab host, 50 ms delay + 2% loss, 1-1024" "" "198.18.0.2 -p 1-1024" "-sT -p 1-1024 -T4 -n -Pn 198.18.0.2"
  "$here/tests/lab/up.sh" >"$work/up.log" 2>&1
fi
