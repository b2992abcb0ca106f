#!/usr/bin/env bash
# Outputs of two builds on one mixed SYN scan, diffed (issue 17): 198.18.1.0/29 answering (pa-sweep), 198.18.64.0/29
# closed (pa-rst), 198.19.0.0/29 silent (pa-dark), once with --top-ports 100 (closed and silent hosts summarised) and once
# with -p 20-30,80,443,8080 (they list their ports). Every stdout format, --save normal, and `ports show` of the saved scan
# in table, json and xml; times, round trips and scratch paths masked. Needs root and the lab (tests/lab/up.sh).
#
#   bench/compare-outputs.sh BASE_DIR NEW_DIR   (directories holding ports.dll)
set -euo pipefail
base=$1 new=$2
export PORTATLAS_SAFE_TARGETS=1 PORTATLAS_DNS_SERVERS=198.18.6.2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
targets="198.18.1.0/29 198.18.64.0/29 198.19.0.0/29"
mask() { # times, round trips, durations, scratch paths
  sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+Z?/TIME/g' -e 's/[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]+ [0-9:]+ [0-9]{4}/DATE/g' \
    -e 's/"(rttMs|elapsedSeconds)": ?[0-9.]+/"\1":N/g' -e 's/(srtt|rttvar|to|start|end|time|elapsed|timestr|startstr)="[^"]*"/\1="X"/g' \
    -e 's#/tmp/tmp\.[A-Za-z0-9]+/#SCRATCH/#g' -e 's#SCRATCH/(base|new)\.#SCRATCH/#g' -e 's/[0-9]+(\.[0-9]+)? ?(ms|s) /N /g' -e 's/in [0-9.]+ seconds/in N seconds/g' "$1"
}
for build in base new; do
  dir=$base; [ "$build" = new ] && dir=$new
  for ports in "--top-ports 100" "-p 20-30,80,443,8080"; do
    tag=$build.$(echo "$ports" | tr -dc 'a-z0-9')
    for f in json xml grep csv jsonl table; do
      rm -f "$work/h.db"*
      dotnet "$dir/ports.dll" scan --syn -Pn -n $ports --db "$work/h.db" --format $f --save normal="$work/$tag.normal" $targets >"$work/$tag.$f" 2>"$work/$tag.$f.err"
      if [ $f = json ]; then
        for g in table json xml; do dotnet "$dir/ports.dll" show 1 --db "$work/h.db" --format $g >"$work/$tag.show.$g"; done
      fi
    done
  done
done
same=0 total=0
for f in "$work"/base.*; do
  case $f in *.err) continue ;; esac
  n=${f/\/base./\/new.}
  total=$((total + 1))
  if diff <(mask "$f") <(mask "$n") >"$work/d" 2>&1; then same=$((same + 1)); else echo "DIFFER: $(basename "${f#*.}")"; head -20 "$work/d"; fi
done
echo "identical after masking: $same of $total files"
