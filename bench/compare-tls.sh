#!/usr/bin/env bash
# TLS enumeration side by side: `ports scan --detect --tls-enum` against `nmap --script ssl-enum-ciphers` on
# openssl s_server instances this script starts on 127.0.0.1 (ports it opened itself), and on the lab's TLS ports
# when the lab is up (198.18.0.2). Prints, per server, the accepted versions and suites from each tool, whether
# they agree, and the median time of RUNS runs each (alternating). Packets go only to those addresses.
#   bench/compare-tls.sh [RUNS]
set -euo pipefail
# Reverse DNS (issue 14) may ask only the lab's server, never the machine's resolver; the peers run with -n, and so do we.
export PORTATLAS_SAFE_TARGETS=1 PORTATLAS_DNS_SERVERS=198.18.6.2
runs=${1:-3}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"   # nmap writes nothing into the repository
ports_bin=${PORTS_BIN:-"$root/ports"}   # PORTS_BIN="dotnet .../ports.dll" skips the native build

openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -subj /CN=tls.portatlas.test -days 20 \
  -addext subjectAltName=DNS:tls.portatlas.test >/dev/null 2>&1
openssl dhparam -out dh1024.pem 1024 >/dev/null 2>&1

declare -A servers=(
  [modern]="-min_protocol TLSv1.2 -cipher ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM -serverpref"
  [legacy]="-min_protocol TLSv1 -max_protocol TLSv1.2 -cipher ALL:COMPLEMENTOFALL:@SECLEVEL=0 -dhparam dh1024.pem"
  [tls13only]="-tls1_3"
)
declare -A target
port=44400
for name in modern legacy tls13only; do
  port=$((port + 1))
  # shellcheck disable=SC2086
  openssl s_server -accept 127.0.0.1:$port -cert cert.pem -key key.pem -www -quiet ${servers[$name]} </dev/null >/dev/null 2>&1 &
  pids+=($!)
  target[$name]="127.0.0.1 $port"
done
if ip netns list 2>/dev/null | grep -q '^pa-lab'; then
  target[lab-nginx-443]="198.18.0.2 443"
  target[lab-dovecot-993]="198.18.0.2 993"
fi
sleep 1
$ports_bin 443 >/dev/null   # build the launcher's binary before timing

now() { date +%s.%N; }
printf '%-18s %-8s %-22s %-9s %-9s %-8s %-8s %s\n' server tool versions suites same median_s ratio note
for name in "${!target[@]}"; do
  read -r host p <<<"${target[$name]}"
  ours=() theirs=()
  for i in $(seq "$runs"); do
    t0=$(now); $ports_bin scan "$host" -p "$p" --connect --detect --tls-enum --no-reverse-dns --no-save --no-assess --format json > ours.json 2>/dev/null; t1=$(now)
    ours+=("$(echo "$t1 - $t0" | bc)")
    t0=$(now); nmap -sT -Pn -n -p "$p" --script ssl-enum-ciphers -oX nmap.xml "$host" >/dev/null 2>&1; t1=$(now)
    theirs+=("$(echo "$t1 - $t0" | bc)")
  done
  python3 - "$name" ours.json nmap.xml "${ours[*]}" "${theirs[*]}" <<'PY'
import json, statistics, sys, xml.etree.ElementTree as ET
name, ours_path, nmap_path, ours_t, nmap_t = sys.argv[1:6]
ours_t = [float(x) for x in ours_t.split()]; nmap_t = [float(x) for x in nmap_t.split()]
d = json.load(open(ours_path))
tls = {}
for h in d.get("hosts", []):
    for p in h.get("ports", []):
        tls = p.get("tls") or {}
ov = tls.get("acceptedVersions", [])
os_ = {l["version"]: set(l["suites"]) for l in tls.get("cipherSuites", [])}
nv, ns = [], {}
for table in ET.parse(nmap_path).iter("table"):
    key = table.get("key") or ""
    if key.startswith(("TLSv", "SSLv")):
        v = {"TLSv1.0": "TLSv1.0"}.get(key, key)
        nv.append(v)
        # nmap 7.93 still spells TLS 1.3 suites with the draft's TLS_AKE_WITH_ prefix.
        ns[v] = {e.text.replace("TLS_AKE_WITH_", "TLS_") for t in table.iter("table") if t.get("key") == "ciphers" for tt in t.iter("table") for e in tt.iter("elem") if e.get("key") == "name"}
norm = lambda v: v.replace("TLSv1.0", "TLSv1.0")
same_versions = sorted(ov) == sorted(nv)
same_suites = all(os_.get(v, set()) == ns.get(v, set()) for v in set(os_) | set(ns))
mo, mn = statistics.median(ours_t), statistics.median(nmap_t)
diff = []
for v in sorted(set(os_) | set(ns)):
    a, b = os_.get(v, set()), ns.get(v, set())
    if a != b:
        diff.append(f"{v}: only ours {sorted(a-b)[:3]} only nmap {sorted(b-a)[:3]}")
print(f"{name:<18} {'ports':<8} {','.join(ov):<22} {sum(len(s) for s in os_.values()):<9} {str(same_versions and same_suites):<9} {mo:<8.2f} {mo/mn:<8.2f} {'; '.join(diff)}")
print(f"{'':<18} {'nmap':<8} {','.join(nv):<22} {sum(len(s) for s in ns.values()):<9} {'':<9} {mn:<8.2f}")
PY
done
