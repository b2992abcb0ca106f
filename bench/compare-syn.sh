#!/usr/bin/env bash
# Side-by-side: the raw scanner (bench/PortAtlas.RawHarness) against nmap -sS / -sU and masscan, alternating runs, as
# root, on the lab (tests/lab). Every run's open set is checked against tests/lab/manifest.tsv.
#   A. lab host 198.18.0.2, all 65535 TCP ports: ours (SYN) vs nmap -sS -p- -T4 -n -Pn vs masscan -p0-65535
#      (masscan at --rate MASSCAN_RATE, default 100000 = our default ceiling; its own default of 100/s is no benchmark)
#   B. A with 20 ms delay and 1% loss each way (brings the lab up impaired with tests/lab/up.sh, then plain again)
#   C. the lab /24 (198.18.1.0/24), our top 100 TCP ports (the same list handed to nmap and masscan)
#   D. UDP: the lab host's UDP services (53,123,161,11211), ours vs nmap -sU
#   E. UDP: the lab host's top 100 UDP ports (ICMP rate limited by the lab's default sysctls), ours vs nmap -sU
# Prints a markdown table: median wall time (s), ratio to ours, peak RSS, and whether every run found exactly the
# manifest's open set. Every packet goes to the lab (198.18.0.0/15); PORTATLAS_SAFE_TARGETS=1 makes ours refuse others.
# Usage: bench/compare-syn.sh [runs=3] [scenarios=ABCDE]
set -euo pipefail
runs=${1:-3}
scenarios=${2:-ABCDE}
here=$(cd "$(dirname "$0")/.." && pwd)
export PORTATLAS_SAFE_TARGETS=1
[ "$(id -u)" -eq 0 ] || { echo "compare-syn.sh: needs root (raw sockets)" >&2; exit 2; }
[ -e /run/netns/pa-lab ] && [ -f "$here/tests/lab/manifest.tsv" ] || { echo "compare-syn.sh: the lab is not up (tests/lab/up.sh)" >&2; exit 2; }
# Ours as the CLI ships: native AOT (startup is part of the wall time). PORTATLAS_BENCH_JIT=1 uses the JIT build instead.
if [ -n "${PORTATLAS_BENCH_JIT:-}" ]; then
  dotnet build "$here/bench/PortAtlas.RawHarness" -c Release --nologo -v quiet >/dev/null
  ours_bin="$here/bench/PortAtlas.RawHarness/bin/Release/net10.0/PortAtlas.RawHarness"
else
  ours_bin="$here/.build/raw-harness/PortAtlas.RawHarness"
  if [ ! -x "$ours_bin" ] || [ -n "$(find "$here/src/PortAtlas" "$here/bench/PortAtlas.RawHarness" -name '*.cs' -newer "$ours_bin" -print -quit)" ]; then
    dotnet publish "$here/bench/PortAtlas.RawHarness" -c Release -r linux-x64 -p:PublishAot=true -o "$here/.build/raw-harness" --nologo -v quiet >/dev/null
  fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"   # peers run from a scratch directory: an interrupted masscan writes paused.conf into its working directory

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# Open sets as sorted "address:port" lines.
open_ours() { awk -F'\t' '$1=="open"{split($3,p,"/"); print $2":"p[2]}' "$1" | sort -u; }
open_nmap() { awk -F'\t' '/^Host: /{split($1,h," "); for(i=2;i<=NF;i++) if ($i ~ /^Ports: /){n=split(substr($i,8),p,", "); for(j=1;j<=n;j++){split(p[j],f,"/"); if(f[2]=="open") print h[2]":"f[1]}}}' "$1" | sort -u; }
open_masscan() { awk '$1=="open"{print $4":"$3}' "$1" | sort -u; }
manifest_open() { # protocol, address regex, port list (comma separated, or "all")
  awk -F'\t' -v proto="$1" -v re="$2" -v list="$3" 'BEGIN{n=split(list,a,","); for(i=1;i<=n;i++) want[a[i]]=1}
    !/^#/ && $1!="address" && $2==proto && $4=="open" && $1 ~ re && (list=="all" || ($3 in want)) {print $1":"$3}' "$here/tests/lab/manifest.tsv" | sort -u
}

echo "| scenario | runs | ours median (s) | nmap median (s) | nmap / ours | masscan median (s) | masscan / ours | peak RSS ours / nmap / masscan (MB) | open set = manifest (ours / nmap / masscan) | open ports |"
echo "|---|---|---|---|---|---|---|---|---|---|"
# name, expected-open file, ours args, nmap args, masscan args ("" to skip), masscan adapter host side for the ping
compare() {
  local name=$1 expected=$2 ours=$3 theirs=$4 mass=$5 ping_target=$6 i
  local ok_ours=0 ok_nmap=0 ok_mass=0
  : >"$work/t.ours"; : >"$work/t.nmap"; : >"$work/t.mass"
  for i in $(seq "$runs"); do
    /usr/bin/time -a -o "$work/t.ours" -f "%e %M" $ours_bin $ours >"$work/ours.$i" 2>"$work/ours.$i.err"
    open_ours "$work/ours.$i" | cmp -s - "$expected" && ok_ours=$((ok_ours + 1)) || echo "    $name, run $i: ours found $(open_ours "$work/ours.$i" | wc -l) open, $(open_ours "$work/ours.$i" | comm -13 - "$expected" | wc -l) missed" >&2
    /usr/bin/time -a -o "$work/t.nmap" -f "%e %M" nmap $theirs -oG "$work/nmap.$i" >/dev/null
    open_nmap "$work/nmap.$i" | cmp -s - "$expected" && ok_nmap=$((ok_nmap + 1)) || echo "    $name, run $i: nmap found $(open_nmap "$work/nmap.$i" | wc -l) open, $(open_nmap "$work/nmap.$i" | comm -13 - "$expected" | wc -l) missed" >&2
    if [ -n "$mass" ]; then
      # masscan's receive thread can sleep in libpcap on a quiet link (PEERS.md): keep a little traffic on it, bounded.
      ping -n -q -i 0.2 -c 600 "$ping_target" >/dev/null 2>&1 & local pinger=$!
      /usr/bin/time -a -o "$work/t.mass" -f "%e %M" timeout -s INT -k 10 120 masscan $mass -oL "$work/mass.$i" >/dev/null 2>&1 || true
      kill "$pinger" 2>/dev/null || true; wait "$pinger" 2>/dev/null || true
      open_masscan "$work/mass.$i" | cmp -s - "$expected" && ok_mass=$((ok_mass + 1)) || echo "    $name, run $i: masscan found $(open_masscan "$work/mass.$i" | wc -l) open, $(open_masscan "$work/mass.$i" | comm -13 - "$expected" | wc -l) missed" >&2
    fi
  done
  local to tn tm mo mn mm
  to=$(awk '{print $1}' "$work/t.ours" | median); tn=$(awk '{print $1}' "$work/t.nmap" | median)
  mo=$(awk '{if($2>m)m=$2} END{printf "%.0f", m/1024}' "$work/t.ours"); mn=$(awk '{if($2>m)m=$2} END{printf "%.0f", m/1024}' "$work/t.nmap")
  if [ -n "$mass" ]; then
    tm=$(awk '{print $1}' "$work/t.mass" | median); mm=$(awk '{if($2>m)m=$2} END{printf "%.0f", m/1024}' "$work/t.mass")
    echo "| $name | $runs | $to | $tn | $(awk -v a="$tn" -v b="$to" 'BEGIN{printf "%.1f", a/b}') | $tm | $(awk -v a="$tm" -v b="$to" 'BEGIN{printf "%.1f", a/b}') | $mo / $mn / $mm | $ok_ours/$runs / $ok_nmap/$runs / $ok_mass/$runs | $(wc -l <"$expected") |"
  else
    echo "| $name | $runs | $to | $tn | $(awk -v a="$tn" -v b="$to" 'BEGIN{printf "%.1f", a/b}') | - | - | $mo / $mn / - | $ok_ours/$runs / $ok_nmap/$runs / - | $(wc -l <"$expected") |"
  fi
  # Keep the stats lines of our last run (passes, backoffs, pacing) for the record.
  sed 's/^/    ours: /' "$work/ours.$runs.err" >&2
}

# masscan's default --rate is 100 packets/s (a full range would take 11 minutes); give it our default ceiling.
masscan_rate=${MASSCAN_RATE:-100000}
lab_masscan="--rate $masscan_rate --adapter pa-lab-h --adapter-ip 198.18.0.1 --router-mac 02:50:41:00:00:02 --wait 2"
sweep_masscan="--rate $masscan_rate --adapter pa-sw-h --adapter-ip 198.18.2.1 --router-mac 02:50:41:00:01:02 --wait 2"

if [[ $scenarios == *A* ]]; then
  manifest_open tcp '^198[.]18[.]0[.]2$' all >"$work/expect.A"
  compare "A. lab host, all TCP ports" "$work/expect.A" "-p 1-65535 198.18.0.2" "-sS -p- -T4 -n -Pn 198.18.0.2" "-p0-65535 198.18.0.2 $lab_masscan" 198.18.0.2
fi
if [[ $scenarios == *B* ]]; then
  "$here/tests/lab/up.sh" --delay 20ms --loss 1% >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
  manifest_open tcp '^198[.]18[.]0[.]2$' all >"$work/expect.B"
  compare "B. lab host, all TCP ports, 20 ms delay + 1% loss each way" "$work/expect.B" "-p 1-65535 198.18.0.2" "-sS -p- -T4 -n -Pn 198.18.0.2" "-p0-65535 198.18.0.2 $lab_masscan" 198.18.0.2
  "$here/tests/lab/up.sh" >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
fi
if [[ $scenarios == *C* ]]; then
  top=$($ours_bin --print-ports --top 100 198.18.1.1)
  manifest_open tcp '^198[.]18[.]1[.]' "$top" >"$work/expect.C"
  compare "C. lab /24, top 100 TCP ports" "$work/expect.C" "-p $top 198.18.1.0/24" "-sS -p $top -T4 -n 198.18.1.0/24" "-p$top 198.18.1.0/24 $sweep_masscan" 198.18.2.2
fi
if [[ $scenarios == *D* ]]; then
  manifest_open udp '^198[.]18[.]0[.]2$' all >"$work/expect.D"
  compare "D. lab host UDP services (53,123,161,11211)" "$work/expect.D" "--type udp -p 53,123,161,11211 198.18.0.2" "-sU -p 53,123,161,11211 -T4 -n -Pn 198.18.0.2" "" ""
fi
if [[ $scenarios == *E* ]]; then
  top=$($ours_bin --type udp --print-ports --top 100 198.18.0.2)
  manifest_open udp '^198[.]18[.]0[.]2$' "$top" >"$work/expect.E"
  compare "E. lab host, top 100 UDP ports (ICMP rate limited)" "$work/expect.E" "--type udp -p $top 198.18.0.2" "-sU -p $top -T4 -n -Pn 198.18.0.2" "" ""
fi
