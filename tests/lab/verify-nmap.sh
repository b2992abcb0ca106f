#!/usr/bin/env bash
# Cross-check the running lab against nmap (an independent scanner).
# Run as root after up.sh; targets only lab addresses (198.18.0.2 and
# 198.18.1.0/24). Prints a short report; exits 1 on any mismatch.
#
#   1. nmap -sT -p- -T4 -n -Pn 198.18.0.2
#        every manifest tcp/open port is open; no other port is open;
#        firewall ports: drop -> filtered, tcp reset -> closed,
#        icmp port-unreachable -> closed (connect() gets ECONNREFUSED),
#        icmp admin-prohibited -> filtered.
#   2. nmap -sS on the firewall ports: states equal the manifest's state
#        column exactly (the manifest uses SYN-scan semantics).
#   3. nmap -sU -p 53,123,161,11211: every manifest udp/open port is open.
#   4. nmap -sT -p 22,80,443,8080 198.18.1.0/24: open ports are exactly the
#        manifest's sweep rows.
set -uo pipefail
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MANIFEST=$LAB_DIR/manifest.tsv
OUT=${1:-$LAB_DIR/run/nmap}
mkdir -p "$OUT"
[[ -s $MANIFEST ]] || { echo "verify-nmap: no manifest; is the lab up?" >&2; exit 1; }
fail=0
bad() { echo "MISMATCH: $*"; fail=1; }

rows() { grep -v '^#' "$MANIFEST" | tail -n +2; }
# greppable nmap output -> "port state" lines for one host
ports_of() { grep -o 'Ports: .*' "$1" | sed 's/^Ports: //; s/\tIgnored.*//' | tr ',' '\n' \
             | sed 's/^ *//' | awk -F/ '$1!="" {print $1" "$2}'; }

echo "== nmap -sT -p- -T4 -n -Pn 198.18.0.2"
timeout 600 nmap -sT -p- -T4 -n -Pn 198.18.0.2 -oN "$OUT/sT-all.txt" -oG "$OUT/sT-all.gnmap" >/dev/null
declare -A ST=()
while read -r p s; do ST[$p]=$s; done < <(ports_of "$OUT/sT-all.gnmap")
n_open=0
while IFS=$'\t' read -r a pr p st _ _ _ notes; do
  [[ $a == 198.18.0.2 && $pr == tcp ]] || continue
  got=${ST[$p]:-closed}
  case "$st:$notes" in
    open:*) want=open; n_open=$((n_open+1)) ;;
    closed:*) want=closed ;;
    filtered:*port-unreachable*) want=closed ;;
    filtered:*) want=filtered ;;
  esac
  [[ $got == "$want" ]] || bad "tcp/$p: -sT says $got, expected $want"
done < <(rows)
for p in "${!ST[@]}"; do
  [[ ${ST[$p]} == open ]] || continue
  rows | awk -F'\t' -v p="$p" '$1=="198.18.0.2" && $2=="tcp" && $3==p && $4=="open" {f=1} END{exit !f}' \
    || bad "tcp/$p open in nmap but not in manifest"
done
echo "   manifest tcp open ports: $n_open; nmap open: $(grep -c '/open/' <(tr ',' '\n' < "$OUT/sT-all.gnmap"))"

echo "== nmap -sS (firewall ports) 198.18.0.2"
fwports=$(rows | awk -F'\t' '$1=="198.18.0.2" && $2=="tcp" && $4!="open" {print $3}' | paste -sd,)
timeout 120 nmap -sS -n -Pn --reason -p "$fwports" 198.18.0.2 -oN "$OUT/sS-fw.txt" -oG "$OUT/sS-fw.gnmap" >/dev/null
declare -A SS=()
while read -r p s; do SS[$p]=$s; done < <(ports_of "$OUT/sS-fw.gnmap")
while IFS=$'\t' read -r a pr p st _; do
  [[ $a == 198.18.0.2 && $pr == tcp && $st != open ]] || continue
  [[ ${SS[$p]:-?} == "$st" ]] || bad "tcp/$p: -sS says ${SS[$p]:-?}, manifest $st"
done < <(rows)
echo "   firewall ports checked: $(tr ',' ' ' <<<"$fwports" | wc -w)"

echo "== nmap -sU -p 53,123,161,11211 198.18.0.2"
timeout 120 nmap -sU -n -Pn -p 53,123,161,11211 198.18.0.2 -oN "$OUT/sU.txt" -oG "$OUT/sU.gnmap" >/dev/null
declare -A SU=()
while read -r p s; do SU[$p]=$s; done < <(ports_of "$OUT/sU.gnmap")
while IFS=$'\t' read -r a pr p st _; do
  [[ $a == 198.18.0.2 && $pr == udp ]] || continue
  [[ ${SU[$p]:-?} == "$st" ]] || bad "udp/$p: -sU says ${SU[$p]:-?}, manifest $st"
done < <(rows)

echo "== nmap -sT -p 22,80,443,8080 198.18.1.0/24"
timeout 300 nmap -sT -n -p 22,80,443,8080 198.18.1.0/24 -oN "$OUT/sweep.txt" -oG "$OUT/sweep.gnmap" >/dev/null
grep 'Ports:' "$OUT/sweep.gnmap" | while read -r _ host _; do
  grep "Host: $host " "$OUT/sweep.gnmap" | grep -o 'Ports: .*' | tr ',' '\n' | grep '/open/' \
    | sed 's/^Ports: //; s/^ *//' | awk -F/ -v h="$host" '{print h"\t"$1}'
done | sort > "$OUT/sweep-found.tsv"
rows | awk -F'\t' '$1 ~ /^198\.18\.1\./ && $4=="open" {print $1"\t"$3}' | sort > "$OUT/sweep-manifest.tsv"
if diff -q "$OUT/sweep-found.tsv" "$OUT/sweep-manifest.tsv" >/dev/null; then
  echo "   sweep: $(wc -l < "$OUT/sweep-found.tsv") open ports found = manifest; $(grep -o '([0-9]* hosts up)' "$OUT/sweep.txt")"
else
  bad "sweep listeners differ: $(diff "$OUT/sweep-found.tsv" "$OUT/sweep-manifest.tsv" | grep '^[<>]' | paste -sd' ')"
fi

if [[ $fail -eq 0 ]]; then echo "verify-nmap: all checks passed"; else echo "verify-nmap: FAILED"; fi
exit $fail
