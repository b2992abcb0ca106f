#!/usr/bin/env bash
# Times `nmap -sT -p- -T4 -n -Pn 127.0.0.1` against the scan harness, alternating runs, inside a network namespace of
# its own with five listeners (never the root namespace: its loopback has listeners that are not ours).
# Usage: bench/scan-vs-nmap.sh [runs] [extra harness options]   (root; needs nmap, python3, iproute2)
set -euo pipefail
runs=${1:-7}; shift || true
ns=pa-bench-$$
here=$(cd "$(dirname "$0")/.." && pwd)
dotnet build -c Release "$here/bench/PortAtlas.ScanHarness" >/dev/null
harness=$here/bench/PortAtlas.ScanHarness/bin/Release/net10.0/PortAtlas.ScanHarness.dll
ip netns add "$ns"
trap 'for p in $(ip netns pids "$ns"); do kill "$p"; done; ip netns del "$ns"' EXIT
ip netns exec "$ns" ip link set lo up
for port in 22 80 8000 31337 45000; do
  ip netns exec "$ns" python3 -c "import socket,time;s=socket.socket();s.bind(('127.0.0.1',$port));s.listen(128);time.sleep(3600)" &
done
sleep 1
out=$(mktemp -d)
for i in $(seq "$runs"); do
  /usr/bin/time -a -o "$out/nmap" -f "%e %M" ip netns exec "$ns" nmap -sT -p- -T4 -n -Pn 127.0.0.1 >"$out/nmap.txt"
  /usr/bin/time -a -o "$out/ours" -f "%e %M" ip netns exec "$ns" dotnet "$harness" scan 127.0.0.1 - "$@" >"$out/ours.txt" 2>/dev/null
done
median() { sort -n "$1" | awk '{a[NR]=$1; if ($2 > m) m = $2} END {print a[int((NR+1)/2)] " s (peak RSS " m " KB)"}'; }
echo "nmap: $(median "$out/nmap"), open: $(grep -c '/tcp *open' "$out/nmap.txt")"
echo "ours: $(median "$out/ours"), open: $(grep -c '^open' "$out/ours.txt")"
