#!/usr/bin/env bash
# TLS enumeration side by side: `ports scan --detect --tls-enum` against `nmap --script ssl-enum-ciphers` and
# testssl.sh (`testssl -p -E`), on openssl s_server instances this script starts on 127.0.0.1 (ports it opened
# itself), on the lab's TLS ports (198.18.0.2) and on the TLS lab's real daemons (198.18.5.2, tests/lab/tls.sh: every
# STARTTLS protocol) when those are up. Prints a Markdown table: per server and tool, the accepted versions and the
# number of suites, whether they equal ours, and the median time of RUNS runs (testssl.sh: one run, it is slow).
# sslyze is not compared: it is not packaged for Debian 12 and PyPI is out of reach here.
# Packets go only to those addresses; nmap runs with -n and testssl with --nodns none (no DNS at all).
#   bench/compare-tls.sh [RUNS] [FILTER]      FILTER: a regex on the server names (e.g. 'tls-')
#   TESTSSL=0 bench/compare-tls.sh            leaves testssl.sh out
#   TESTSSL_DIR=DIR                            takes testssl.sh's result for server NAME from DIR/NAME.json (and its
#                                              time from DIR/NAME.time) instead of running it; other servers: TESTSSL
set -euo pipefail
# Reverse DNS (issue 14) may ask only the lab's server, never the machine's resolver; the peers run with -n, and so do we.
export PORTATLAS_SAFE_TARGETS=1 PORTATLAS_DNS_SERVERS=198.18.6.2
runs=${1:-3}
filter=${2:-.}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"   # nmap and testssl.sh write nothing into the repository
ports_bin=${PORTS_BIN:-"$root/ports"}   # PORTS_BIN="dotnet .../ports.dll" skips the native build
with_testssl=${TESTSSL:-1}
command -v testssl >/dev/null || with_testssl=0

openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -subj /CN=tls.portatlas.test -days 20 \
  -addext subjectAltName=DNS:tls.portatlas.test >/dev/null 2>&1
openssl dhparam -out dh1024.pem 1024 >/dev/null 2>&1

declare -A servers=(
  [modern]="-min_protocol TLSv1.2 -cipher ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM -serverpref"
  [legacy]="-min_protocol TLSv1 -max_protocol TLSv1.2 -cipher ALL:COMPLEMENTOFALL:@SECLEVEL=0 -dhparam dh1024.pem"
  [tls13only]="-tls1_3"
)
declare -A target   # name -> "host port starttls"
port=44400
for name in modern legacy tls13only; do
  port=$((port + 1))
  [[ "s_server-$name" =~ $filter ]] || continue
  # shellcheck disable=SC2086
  openssl s_server -accept 127.0.0.1:$port -cert cert.pem -key key.pem -www -quiet ${servers[$name]} </dev/null >/dev/null 2>&1 &
  pids+=($!)
  target[s_server-$name]="127.0.0.1 $port tls"
done
if ip netns list 2>/dev/null | grep -q '^pa-lab'; then
  target[lab-nginx-443]="198.18.0.2 443 tls"
  target[lab-dovecot-993]="198.18.0.2 993 tls"
fi
if [[ -s $root/tests/lab/run/tls/up.tsv ]]; then
  while IFS=$'\t' read -r proto p dmn; do
    [[ $proto == protocol ]] && continue
    target[tls-$dmn-$p]="198.18.5.2 $p $proto"
  done < "$root/tests/lab/run/tls/up.tsv"
fi
for name in "${!target[@]}"; do [[ $name =~ $filter ]] || unset "target[$name]"; done
sleep 1
$ports_bin 443 >/dev/null   # build the launcher's binary before timing

now() { date +%s.%N; }
echo "| server | tool | versions | suites | same as ours | median s |"
echo "|---|---|---|---|---|---|"
for name in $(printf '%s\n' "${!target[@]}" | sort); do
  read -r host p proto <<<"${target[$name]}"
  ours=() theirs=() tssl=()
  for _ in $(seq "$runs"); do
    t0=$(now); $ports_bin scan "$host" -p "$p" --connect --detect --tls-enum --sni tls.portatlas.test --no-reverse-dns --no-save --no-assess --format json > ours.json 2>/dev/null || true; t1=$(now)
    ours+=("$(echo "$t1 - $t0" | bc)")
    t0=$(now); nmap -sT -Pn -n -p "$p" --script ssl-enum-ciphers -oX nmap.xml "$host" >/dev/null 2>&1 || true; t1=$(now)
    theirs+=("$(echo "$t1 - $t0" | bc)")
  done
  rm -f testssl.json
  if [[ -n ${TESTSSL_DIR:-} && -s $TESTSSL_DIR/$name.json ]]; then
    # A testssl.sh run made earlier (it takes minutes a port here): its JSON and its time in seconds.
    cp "$TESTSSL_DIR/$name.json" testssl.json
    tssl=("$(cat "$TESTSSL_DIR/$name.time")")
  elif [[ $with_testssl == 1 ]]; then
    st=()
    [[ $proto == tls ]] || st=(-t "$proto")
    [[ $proto == xmpp ]] && st+=(--xmpphost tls.portatlas.test)
    t0=$(now); timeout 900 testssl --quiet --nodns none --warnings off --color 0 --openssl-timeout 10 "${st[@]}" -p -E --jsonfile testssl.json "$host:$p" >/dev/null 2>&1 || true; t1=$(now)
    tssl=("$(echo "$t1 - $t0" | bc)")
  fi
  python3 - "$name" ours.json nmap.xml testssl.json "${ours[*]}" "${theirs[*]}" "${tssl[*]:-}" <<'PY'
import json, os, re, statistics, sys, xml.etree.ElementTree as ET
name, ours_path, nmap_path, tssl_path, ours_t, nmap_t, tssl_t = sys.argv[1:8]
med = lambda s: statistics.median(float(x) for x in s.split()) if s.strip() else None
order = ["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
def ours():
    try:
        d = json.load(open(ours_path))
    except Exception:
        return [], {}
    tls = {}
    for h in d.get("hosts", []):
        for p in h.get("ports", []):
            tls = p.get("tls") or {}
    return tls.get("acceptedVersions", []), {l["version"]: set(l["suites"]) for l in tls.get("cipherSuites", [])}
def nmap():
    v, s = [], {}
    try:
        tables = list(ET.parse(nmap_path).iter("table"))
    except Exception:
        return v, s
    for table in tables:
        key = table.get("key") or ""
        if key.startswith(("TLSv", "SSLv")):
            v.append(key)
            # nmap 7.93 still spells TLS 1.3 suites with the draft's TLS_AKE_WITH_ prefix.
            s[key] = {e.text.replace("TLS_AKE_WITH_", "TLS_") for t in table.iter("table") if t.get("key") == "ciphers" for tt in t.iter("table") for e in tt.iter("elem") if e.get("key") == "name"}
    return v, s
def testssl():
    v, s = [], {}
    if not os.path.exists(tssl_path):
        return None, None
    try:
        d = json.load(open(tssl_path))
    except Exception:
        return None, None
    names = {"SSLv3": "SSLv3", "TLS1": "TLSv1.0", "TLS1_1": "TLSv1.1", "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}
    for e in d:
        i, f = e.get("id", ""), e.get("finding", "")
        if i in names and f.startswith("offered"):
            v.append(names[i])
        m = re.match(r"cipher-(ssl3|tls1|tls1_1|tls1_2|tls1_3)_x", i)
        if m:
            ver = {"ssl3": "SSLv3", "tls1": "TLSv1.0", "tls1_1": "TLSv1.1", "tls1_2": "TLSv1.2", "tls1_3": "TLSv1.3"}[m.group(1)]
            s.setdefault(ver, set()).add(f.split()[-1])
    return sorted(v, key=order.index), s
ov, os_ = ours()
rows = [("ports", ov, os_, med(ours_t)), ("nmap", *nmap(), med(nmap_t))]
tv, ts = testssl()
if tv is not None:
    rows.append(("testssl.sh", tv, ts, med(tssl_t)))
for tool, v, s, t in rows:
    same = sorted(v) == sorted(ov) and all(s.get(x, set()) == os_.get(x, set()) for x in set(s) | set(os_))
    diff = []
    for x in sorted(set(s) | set(os_)):
        a, b = os_.get(x, set()), s.get(x, set())
        if a != b:
            diff.append(f"{x}: only ours {sorted(a - b)[:3]}, only {tool} {sorted(b - a)[:3]}")
    note = "yes" if same else "no: " + "; ".join(diff or ["versions differ"])
    ts_ = f"{t:.2f}" if t is not None else "-"
    print(f"| {name} | {tool} | {', '.join(v) or '-'} | {sum(len(x) for x in s.values())} | {'-' if tool == 'ports' else note} | {ts_} |")
PY
done
