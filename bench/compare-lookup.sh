#!/usr/bin/env bash
# Whole-process wall time of `ports 443 --format json` against `getent services 443/tcp`, alternating, median of N.
# Usage: bench/compare-lookup.sh [runs=21]
set -euo pipefail
runs=${1:-21}
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/ports" 443 >/dev/null            # build once, outside the timings
bin=$here/.build/ports/ports
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"   # peers run from a scratch directory
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
for i in $(seq "$runs"); do
  ms "$bin" 443 --format json >>"$work/ports"
  ms "$bin" 443 >>"$work/table"
  ms getent services 443/tcp >>"$work/getent"
  ms "$here/ports" 443 --format json >>"$work/launcher"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {printf "%.1f", ((NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2) / 1000}'; }
p=$(median "$work/ports"); t=$(median "$work/table"); g=$(median "$work/getent"); l=$(median "$work/launcher")
echo "| command | runs | median wall time (ms) |"
echo "|---|---|---|"
echo "| \`ports 443 --format json\` (native binary) | $runs | $p |"
echo "| \`ports 443\` (native binary, table) | $runs | $t |"
echo "| \`./ports 443 --format json\` (through the launcher) | $runs | $l |"
echo "| \`getent services 443/tcp\` | $runs | $g |"
echo
echo "ratio ports/getent: $(awk -v a="$p" -v b="$g" 'BEGIN{printf "%.1f", a/b}')"
