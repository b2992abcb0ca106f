#!/usr/bin/env bash
# Side-by-side UDP against hosts that rate-limit ICMP (issue 16): ours (`ports scan -sU`) against nmap -sU (default
# timing) and nmap -sU -T4, alternating runs, as root, on the UDP lab (tests/lab/udp.sh: 198.18.8.2-4, kernel-default
# ICMP rate limits).
#   A. one host (198.18.8.2), our top 100 UDP ports (the same explicit list handed to nmap: the tools' rankings differ)
#   B. three hosts (198.18.8.2-4), the same 100 ports each
# Every run's states are compared port by port with nmap's run next to it and with the lab manifest (listed ports
# open or open|filtered, every other port closed). Prints a markdown table: median wall time, ratio ours/nmap,
# median time to the first open port, state agreement, and /proc/loadavg at each run.
# Every packet goes to 198.18.8.0/24; PORTATLAS_SAFE_TARGETS=1 makes ours refuse anything else.
# Usage: bench/compare-udp.sh [runs=3] [scenarios=AB]   (NMAP_DEFAULT=0 leaves out nmap at default timing)
set -euo pipefail
runs=${1:-3}
scenarios=${2:-AB}
here=$(cd "$(dirname "$0")/.." && pwd)
export PORTATLAS_SAFE_TARGETS=1
[ "$(id -u)" -eq 0 ] || { echo "compare-udp.sh: needs root (raw sockets)" >&2; exit 2; }
manifest=$here/tests/lab/run/udp/manifest.tsv
[ -e /run/netns/pa-udp1 ] && [ -f "$manifest" ] || { echo "compare-udp.sh: the UDP lab is not up (tests/lab/udp.sh up)" >&2; exit 2; }
ours_dll=${PORTATLAS_BENCH_DLL:-$here/src/PortAtlas.Cli/bin/Release/net10.0/ports.dll}
[ -f "$ours_dll" ] || dotnet build "$here/src/PortAtlas.Cli" -c Release --nologo -v quiet >/dev/null
ours() { dotnet "$ours_dll" scan "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"   # peers run from a scratch directory (nmap may leave files in its working directory)

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# Prefixes each line with the seconds since $1 (an $EPOCHREALTIME): when each verdict reached stdout.
stamp() { local t0=${1/./} line t; while IFS= read -r line; do t=$(( ${EPOCHREALTIME/./} - t0 )); printf '%d.%02d %s\n' $((t / 1000000)) $((t % 1000000 / 10000)) "$line"; done; }
since() { local t=$(( ${EPOCHREALTIME/./} - ${1/./} )); printf '%d.%02d\n' $((t / 1000000)) $((t % 1000000 / 10000)); }
# States as sorted "address:port state" lines, every port of the list.
states_ours() { grep -o '"address":"[^"]*","hostname":[^,]*,"port":[0-9]*,"protocol":"udp","state":"[^"]*"' "$1" |
  sed -E 's/"address":"([^"]*)".*"port":([0-9]*).*"state":"([^"]*)"/\1:\2 \3/' | sort -u; }
states_nmap() { # grepable output and the port list: unlisted ports have the "Ignored State"
  awk -F'\t' -v list="$2" '/^Host: .*Ports: /{split($1,h," "); ign="closed"; n=split(list,all,",");
      for(i=2;i<=NF;i++){ if ($i ~ /^Ignored State: /){split(substr($i,16),g," "); ign=g[1]} }
      delete st; for(i=2;i<=NF;i++) if ($i ~ /^Ports: /){m=split(substr($i,8),p,", "); for(j=1;j<=m;j++){split(p[j],f,"/"); st[f[1]]=f[2]}}
      for(k=1;k<=n;k++) print h[2]":"all[k]" "((all[k] in st)?st[all[k]]:ign)}' "$1" | sort -u; }
states_manifest() { # hosts (space separated), port list
  awk -F'\t' -v hosts="$1" -v list="$2" 'BEGIN{nh=split(hosts,H," "); n=split(list,P,",")}
    !/^#/ && $1!="address" {st[$1":"$3]=$4}
    END{for(a=1;a<=nh;a++) for(k=1;k<=n;k++){key=H[a]":"P[k]; print key" "((key in st)?st[key]:"closed")}}' "$manifest" | sort -u; }

echo "| scenario | runs | ours median (s) | nmap -sU median (s) | ours / nmap | nmap -sU -T4 median (s) | ours / nmap -T4 | first open: ours / nmap / nmap -T4 (s, median) | states = manifest: ours / nmap / nmap -T4 | loadavg at each run |"
echo "|---|---|---|---|---|---|---|---|---|---|"
# One tool's run i: command, label; appends its time, first-open time and whether its states equal the manifest.
run_nmap() { # label, timing args, run, port list, hosts...
  local label=$1 timing=$2 i=$3 list=$4 t0; shift 4
  sleep 7   # the tools share the targets' per-peer ICMP bucket (burst 6, one per second): let it refill
  t0=$EPOCHREALTIME
  nmap -sU $timing -n -v -p "U:$list" "$@" -oG "$work/$label.$i" 2>&1 | stamp "$t0" >"$work/$label.$i.out"
  since "$t0" >>"$work/t.$label"
  awk '/Discovered open port/{print $1; found=1; exit} END{if(!found) print "-"}' "$work/$label.$i.out" >>"$work/f.$label"
  states_nmap "$work/$label.$i" "$list" >"$work/s.$label"
  check "$label" "$i"
}
check() { # label, run
  if cmp -s "$work/s.$1" "$work/expect"; then
    echo ok >>"$work/ok.$1"
  else
    echo "    run $2: $1 differs from the manifest in $(diff "$work/expect" "$work/s.$1" | grep -c '^>') port(s):" >&2
    diff "$work/expect" "$work/s.$1" | grep '^[<>]' | head -6 | sed "s/^/      /" >&2 || true
  fi
}
compare() {
  local name=$1 hosts=$2 list=$3 i t0 loads="" l
  for l in ours nmap nmapT4; do : >"$work/t.$l"; : >"$work/f.$l"; : >"$work/ok.$l"; done
  states_manifest "$hosts" "$list" >"$work/expect"
  for i in $(seq "$runs"); do
    loads="$loads $(cut -d' ' -f1 /proc/loadavg)"
    sleep 7
    t0=$EPOCHREALTIME
    ours $hosts -sU -p "U:$list" -n --no-save --all-states --format jsonl 2>"$work/ours.$i.err" | stamp "$t0" >"$work/ours.$i"
    since "$t0" >>"$work/t.ours"
    awk '/"state":"open"/{print $1; exit}' "$work/ours.$i" >>"$work/f.ours"
    states_ours "$work/ours.$i" >"$work/s.ours"
    check ours "$i"
    if [ "${NMAP_DEFAULT:-1}" = 1 ]; then
      # shellcheck disable=SC2086
      run_nmap nmap "" "$i" "$list" $hosts
    else
      echo 0 >>"$work/t.nmap"; echo - >>"$work/f.nmap"
    fi
    # shellcheck disable=SC2086
    run_nmap nmapT4 "-T4" "$i" "$list" $hosts
    echo "    $name, run $i: ours $(tail -1 "$work/t.ours") s, nmap $(tail -1 "$work/t.nmap") s, nmap -T4 $(tail -1 "$work/t.nmapT4") s, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    grep -h '^ports: ' "$work/ours.$i.err" | sed 's/^/      ours: /' >&2 || true
  done
  local to tn t4
  to=$(median <"$work/t.ours"); tn=$(median <"$work/t.nmap"); t4=$(median <"$work/t.nmapT4")
  echo "| $name | $runs | $to | $tn | $(awk -v a="$to" -v b="$tn" 'BEGIN{if (b > 0) printf "%.2f", a/b; else printf "-"}') | $t4 | $(awk -v a="$to" -v b="$t4" 'BEGIN{printf "%.2f", a/b}') | $(median <"$work/f.ours") / $(median <"$work/f.nmap") / $(median <"$work/f.nmapT4") | $(wc -l <"$work/ok.ours")/$runs / $(wc -l <"$work/ok.nmap")/$runs / $(wc -l <"$work/ok.nmapT4")/$runs | $loads |"
}

list=$(dotnet "$ours_dll" list --top 100 -P udp -f csv | tail -n +2 | cut -d, -f2 | sort -n | paste -sd,)
if [[ $scenarios == *A* ]]; then
  compare "A. one host, top 100 UDP ports" "198.18.8.2" "$list"
fi
if [[ $scenarios == *B* ]]; then
  compare "B. three hosts, top 100 UDP ports each" "198.18.8.2 198.18.8.3 198.18.8.4" "$list"
fi
