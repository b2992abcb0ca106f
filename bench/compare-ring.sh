#!/usr/bin/env bash
# Issue 16, the receive ring side by side: the same `ports` binary with the reply path read through recvmmsg
# (PORTATLAS_RX_RING=0, the old path) and through the TPACKET_V3 ring (default), alternating run by run, on
# compare-rate.sh's rows A (lab /24 x 1-1000, SYN) and C (127.0.0.1 -p- --syn in a namespace of our own, 20 listeners).
# Per run: wall time, the first pass's send time (-d), packets, open ports, and CPU seconds by thread
# (bench/thread-cpu.py): the receive thread, the send threads (the engine's own ".NET Long Runni" and "PortAtlas raw s"),
# and the whole process. Prints one line per run and medians per row and mode. Every packet goes to the lab
# (198.18.0.0/15) or to 127.0.0.1 inside our namespace. Row A takes /work/helpers/scale.lock when SCALE_LOCK is set.
# Usage: bench/compare-ring.sh [runs=5] [rows=AC] ; PORTS=/path/to/ports-full (default: this tree's native build)
set -euo pipefail
runs=${1:-5}
rows=${2:-AC}
here=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "compare-ring.sh: needs root" >&2; exit 2; }
export PORTATLAS_SAFE_TARGETS=1 PORTATLAS_DNS_SERVERS=198.18.6.2
ports_bin=${PORTS:-$here/.build/ports/ports}
work=$(mktemp -d)
ns=pa-h-ring-$$
cleanup() {
  if ip netns list | grep -qw "$ns"; then
    for p in $(ip netns pids "$ns"); do kill "$p" 2>/dev/null || true; done
    ip netns del "$ns"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; else print "-"}'; }
cpu() { awk -F'\t' -v n="$2" '$1 == n {s += $3} END {printf "%.3f", s}' "$1"; }
sendcpu() { awk -F'\t' '$1 == ".NET Long Runni" || $1 == "PortAtlas raw s" {s += $3} END {printf "%.3f", s}' "$1"; }
allcpu() { awk -F'\t' '$1 != "wall" {s += $3} END {printf "%.3f", s}' "$1"; }

run() { # row, mode (ring|recvmmsg), run, prefix, args
  local row=$1 mode=$2 i=$3 prefix=$4 args=$5 flag=1 lock=""
  [ "$mode" = recvmmsg ] && flag=0
  [ "$row" = A ] && [ -n "${SCALE_LOCK:-}" ] && lock="flock $SCALE_LOCK"
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  # shellcheck disable=SC2086
  $lock $prefix env PORTATLAS_RX_RING=$flag python3 "$here/bench/thread-cpu.py" "$work/cpu" \
    "$ports_bin" scan $args -n -d --no-save --format grep --no-progress >"$work/out" 2>"$work/err" || true
  local open packets pass1 wall
  open=$(grep -o '[0-9]*/open/' "$work/out" | wc -l)
  packets=$(sed -n 's/.*: \([0-9,]*\) packets, at up to.*/\1/p' "$work/err" | tr -d ',' | tail -1)
  pass1=$(grep -oE '(: |; )pass 1 send [0-9.]+' "$work/err" | head -1 | grep -oE '[0-9.]+$' || echo -)
  wall=$(cpu "$work/cpu" wall)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$mode" "$i" "$wall" "$pass1" "${packets:--}" "$open" \
    "$(cpu "$work/cpu" "PortAtlas raw r")" "$(sendcpu "$work/cpu")" "$(allcpu "$work/cpu")" "$load" | tee -a "$work/rows"
  [ "$i" = 1 ] && sed 's/^/    /' "$work/err" | grep -E 'phase|pass|rate|drops' | head -12 >&2 || true
}

printf 'row\tmode\trun\twall_s\tpass1_send_s\tpackets\topen\trecv_cpu_s\tsend_cpu_s\tprocess_cpu_s\tload1\n'
if [[ $rows == *A* ]]; then
  for i in $(seq "$runs"); do
    # Alternate which mode goes first, so neither always meets the same neighbour's load.
    if ((i % 2)); then order="recvmmsg ring"; else order="ring recvmmsg"; fi
    for mode in $order; do run A "$mode" "$i" "" "198.18.1.0/24 -p 1-1000 --syn"; done
  done
fi
if [[ $rows == *C* ]]; then
  ip netns add "$ns"; ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" timeout 3600 python3 "$here/tests/lab/accept-listener.py" 127.0.0.1 22 25 53 80 110 143 443 445 993 995 1433 3306 3389 5432 5900 6379 8000 8080 27017 31337 &
  sleep 1
  for i in $(seq "$runs"); do
    if ((i % 2)); then order="recvmmsg ring"; else order="ring recvmmsg"; fi
    for mode in $order; do run C "$mode" "$i" "ip netns exec $ns" "127.0.0.1 -p- --syn"; done
  done
fi
echo
echo "medians: row mode wall pass1 packets recv_cpu send_cpu process_cpu; recv and send CPU per packet (us)"
for row in A C; do
  for mode in recvmmsg ring; do
    grep -q "^$row	$mode	" "$work/rows" 2>/dev/null || continue
    col() { awk -F'\t' -v r="$row" -v m="$mode" -v c="$1" '$1 == r && $2 == m {print $c}' "$work/rows" | median; }
    rpp=$(awk -F'\t' -v r="$row" -v m="$mode" '$1 == r && $2 == m && $6 > 0 {print $8 / $6 * 1e6}' "$work/rows" | median)
    spp=$(awk -F'\t' -v r="$row" -v m="$mode" '$1 == r && $2 == m && $6 > 0 {print $9 / $6 * 1e6}' "$work/rows" | median)
    echo "$row $mode wall $(col 4) pass1 $(col 5) packets $(col 6) recv $(col 8) send $(col 9) process $(col 10) | recv/pkt $rpp send/pkt $spp"
  done
done
