#!/usr/bin/env bash
# Side-by-side service detection against `nmap -sV`.
#
#   bench/compare-detect.sh --lab      # issue 11: every open port of the extended lab, from one run
#   bench/compare-detect.sh            # issue 5: the harness on the open TCP ports of 198.18.0.2, RUNS times
#
# --lab: on every open port of the lab hosts 198.18.0.2 (pa-lab), 198.18.3.2 (pa-svc) and 198.18.4.2 (pa-svc2)
# listed in the manifest, runs the CLI (`ports scan HOST -p PORTS --detect -f xml`, `--udp` for UDP ports) and
# `nmap -sV` (`nmap -sU -sV` for UDP), host by host, and scores service, product and version against the
# manifest with bench/score-detect.py (rules in its docstring). Writes bench/detection-lab-results.md.
# nmap runs from a scratch directory. Sends packets only to those three lab addresses. Needs root and the lab up.
#
# Default mode: alternates bench/PortAtlas.DetectHarness (Native AOT) and nmap -sV on 198.18.0.2, RUNS times
# each, and writes bench/detection-results.md (table + median wall times).
#   RUNS=5 PORTATLAS_LAB_MANIFEST=/path/manifest.tsv bench/compare-detect.sh
set -euo pipefail
# Reverse DNS (issue 14) may ask only the lab's server, never the machine's resolver; the peers run with -n, and so do we.
export PORTATLAS_SAFE_TARGETS=1 PORTATLAS_DNS_SERVERS=198.18.6.2
cd "$(dirname "$0")/.."

if [[ ${1:-} == --lab ]]; then
  MANIFEST=${PORTATLAS_LAB_MANIFEST:-$PWD/tests/lab/manifest.tsv}
  [[ -f $MANIFEST ]] || { echo "no lab manifest at $MANIFEST (set PORTATLAS_LAB_MANIFEST)" >&2; exit 2; }
  OUT=bench/detection-lab-results.md
  WORK=$(mktemp -d /tmp/compare-detect-lab.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
  echo "building the CLI..." >&2
  dotnet build src/PortAtlas.Cli -c Release >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log" >&2; exit 1; }
  DLL=src/PortAtlas.Cli/bin/Release/net10.0/ports.dll
  [[ -f $DLL ]] || { echo "CLI build output $DLL not found" >&2; exit 1; }
  OURS=(dotnet "$PWD/$DLL")
  now() { date +%s.%N; }
  : >"$WORK/times"
  for host in 198.18.0.2 198.18.3.2 198.18.4.2; do
    for proto in tcp udp; do
      ports=$(awk -F'\t' -v h="$host" -v p="$proto" '!/^#/ && $1==h && $2==p && $4=="open" {print $3}' "$MANIFEST" | sort -n | paste -sd, -)
      [[ -n $ports ]] || continue
      if [[ $proto == tcp ]]; then
        ours_args=(-p "$ports"); nmap_args=(-sV)
      else
        ours_args=(--udp -p "U:$ports"); nmap_args=(-sU -sV)
      fi
      t0=$(now)
      "${OURS[@]}" scan "$host" "${ours_args[@]}" --detect --no-reverse-dns -f xml --no-save --no-assess --no-progress \
        >"$WORK/ours-$proto-$host.xml" 2>"$WORK/ours-$proto-$host.err" || true
      t1=$(now)
      echo "ours $proto $host $(echo "$t1 - $t0" | bc)" >>"$WORK/times"
      t0=$(now)
      (cd "$WORK" && nmap "${nmap_args[@]}" -p "$ports" -n -Pn "$host" -oX "nmap-$proto-$host.xml" >/dev/null 2>&1) || true
      t1=$(now)
      echo "nmap $proto $host $(echo "$t1 - $t0" | bc)" >>"$WORK/times"
      echo "$host/$proto: $(tail -2 "$WORK/times" | awk '{printf "%s %.1fs  ", $1, $4}')" >&2
    done
  done
  {
    echo "# Service detection on the extended lab (issue 11): ports scan --detect vs nmap -sV"
    echo
    echo "From one run on $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD). Hosts 198.18.0.2, 198.18.3.2, 198.18.4.2;"
    echo "every open port of the manifest. $(nmap --version | head -1 | sed 's/ (.*//'); machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
    echo
    python3 bench/score-detect.py "$MANIFEST" "$WORK" "$WORK/times"
  } >"$OUT"
  [[ -n ${KEEP_WORK:-} ]] && cp -r "$WORK" "$KEEP_WORK"
  echo "wrote $OUT" >&2
  exit 0
fi

HOST=198.18.0.2
RUNS=${RUNS:-3}
OUT=bench/detection-results.md
WORK=$(mktemp -d /tmp/compare-detect.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

MANIFEST=${PORTATLAS_LAB_MANIFEST:-tests/lab/manifest.tsv}
[[ -f $MANIFEST ]] || { echo "no lab manifest at $MANIFEST (set PORTATLAS_LAB_MANIFEST)" >&2; exit 2; }
PORTS=$(awk -F'\t' -v h="$HOST" '$1==h && $2=="tcp" && $4=="open" {print $3}' "$MANIFEST" | sort -n | paste -sd, -)
[[ -n $PORTS ]] || { echo "manifest lists no open TCP port of $HOST" >&2; exit 2; }
timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/${PORTS%%,*}" 2>/dev/null || { echo "lab not up: $HOST:${PORTS%%,*} does not answer" >&2; exit 2; }

echo "publishing the harness (Native AOT)..." >&2
if dotnet publish bench/PortAtlas.DetectHarness -c Release -o "$WORK/harness" >"$WORK/publish.log" 2>&1 && [[ -x $WORK/harness/PortAtlas.DetectHarness ]]; then
  OURS=("$WORK/harness/PortAtlas.DetectHarness")
  OURS_KIND="Native AOT"
else
  echo "AOT publish failed (see below); falling back to the JIT build" >&2; tail -5 "$WORK/publish.log" >&2
  dotnet build bench/PortAtlas.DetectHarness -c Release >/dev/null
  OURS=(dotnet bench/PortAtlas.DetectHarness/bin/Release/net10.0/PortAtlas.DetectHarness.dll)
  OURS_KIND="JIT"
fi

RTT=$(ping -c 5 -i 0.2 -q "$HOST" 2>/dev/null | awk -F/ '/^rtt/ {print $5}')
now() { date +%s.%N; }
for i in $(seq 1 "$RUNS"); do
  t0=$(now); "${OURS[@]}" "$HOST" "$PORTS" >"$WORK/ours.$i.tsv" 2>/dev/null; t1=$(now)
  echo "$t1 - $t0" | bc >>"$WORK/ours.times"
  t0=$(now); (cd "$WORK" && nmap -sV -p "$PORTS" -n -Pn "$HOST" -oX "$WORK/nmap.$i.xml" >/dev/null); t1=$(now)
  echo "$t1 - $t0" | bc >>"$WORK/nmap.times"
  echo "run $i: ours $(tail -1 "$WORK/ours.times") s, nmap $(tail -1 "$WORK/nmap.times") s" >&2
done

# Per port, once each (PER_PORT=0 skips): where each tool spends its time.
if [[ ${PER_PORT:-1} == 1 ]]; then
  for p in ${PORTS//,/ }; do
    t0=$(now); "${OURS[@]}" "$HOST" "$p" >/dev/null 2>&1; t1=$(now)
    t2=$(now); (cd "$WORK" && nmap -sV -p "$p" -n -Pn "$HOST" >/dev/null 2>&1); t3=$(now)
    echo "$p $(echo "$t1 - $t0" | bc) $(echo "$t3 - $t2" | bc)" >>"$WORK/per-port.times"
  done
fi

python3 - "$MANIFEST" "$HOST" "$WORK" "$RUNS" "$OURS_KIND" "$(nmap --version | head -1)" "${RTT:-?}" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT" <<'PY'
import csv, statistics, sys, xml.etree.ElementTree as ET
manifest, host, work, runs, kind, nmap_version, rtt, cores, load = sys.argv[1:10]
runs = int(runs)
rows = [r for r in csv.reader((l for l in open(manifest) if not l.startswith('#')), delimiter='\t')]
head, rows = rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]
rows = [r for r in rows if r['address'] == host and r['protocol'] == 'tcp' and r['state'] == 'open']
ours = {}
for line in list(open(f"{work}/ours.{runs}.tsv"))[1:]:
    c = line.rstrip('\n').split('\t')
    ours[int(c[0])] = c
nmap = {}
for port in ET.parse(f"{work}/nmap.{runs}.xml").getroot().iter('port'):
    s = port.find('service')
    if s is None:
        continue
    tunnel = s.get('tunnel')
    name = (tunnel + '/' if tunnel else '') + s.get('name', '')
    nmap[int(port.get('portid'))] = (name, s.get('product', ''), s.get('version', ''), s.get('extrainfo', ''))
def ok(manifest_product, manifest_version, product, version):
    first = manifest_product.split(' ')[0].lower()
    p = first in product.lower() if product else False
    v = (not version) or version == manifest_version
    return p and v
t_ours = [float(x) for x in open(f"{work}/ours.times")]
t_nmap = [float(x) for x in open(f"{work}/nmap.times")]
print("# Service detection: PortAtlas vs nmap -sV on the lab host\n")
print(f"Host {host}, open TCP ports from the lab manifest; {runs} alternating runs each; table from the last run.")
print(f"PortAtlas: bench/PortAtlas.DetectHarness ({kind}), default DetectionOptions (MaxConcurrency 32). "
      f"nmap: `nmap -sV -p <ports> -n -Pn {host}` ({nmap_version}, run as root, so -sS first).")
print(f"Link: ping RTT avg {rtt} ms. Machine: {cores} cores shared with other work, load average {load} at the end.\n")
print("| port | manifest service / product version | PortAtlas | nmap -sV | PortAtlas ok | nmap ok |")
print("| --- | --- | --- | --- | --- | --- |")
score_o = score_n = 0
for r in rows:
    p = int(r['port'])
    o = ours.get(p, ['', '-', '-', '-', '-', '-', '-'])
    oprod = '' if o[2] == '-' else o[2]; over = '' if o[3] == '-' else o[3]
    otext = ' '.join(x for x in [o[1], oprod, over] if x and x != '-')
    if len(o) > 6 and o[6] not in ('-', ''):
        otext += f" [{o[6]}]"
    if len(o) > 7 and o[7] not in ('-', ''):
        otext += " (TLS)"
    n = nmap.get(p, ('', '', '', ''))
    ntext = ' '.join(x for x in n[:3] if x)
    okay_o = ok(r['product'], r['version'], oprod, over)
    # nmap's "9.6.0 or later" is a lower bound, not a claim of the version: it counts as no version given.
    okay_n = ok(r['product'], r['version'], n[1], '' if 'or later' in n[2] else n[2].split(' ')[0])
    score_o += okay_o; score_n += okay_n
    mver = '' if r['version'] == '-' else r['version']
    print(f"| {p} | {r['service']} / {r['product']} {mver} | {otext} | {ntext} | {'yes' if okay_o else 'NO'} | {'yes' if okay_n else 'NO'} |")
print(f"\nProduct named (and version equal where given): PortAtlas {score_o}/{len(rows)}, nmap {score_n}/{len(rows)}. "
      "\"ok\" = the manifest product's first word appears in the product, and any version given equals the manifest's "
      "upstream version (nmap's MariaDB row names the product MySQL, with the raw server string as its version; "
      "a version range such as \"9.6.0 or later\" counts as no version).\n")
print("| wall time (s) | median | runs |")
print("| --- | --- | --- |")
print(f"| PortAtlas | {statistics.median(t_ours):.2f} | {', '.join(f'{x:.2f}' for x in t_ours)} |")
print(f"| nmap -sV | {statistics.median(t_nmap):.2f} | {', '.join(f'{x:.2f}' for x in t_nmap)} |")
try:
    per = [l.split() for l in open(f"{work}/per-port.times")]
except FileNotFoundError:
    per = []
if per:
    print("\nPer port, one run each, each tool started for that port alone (process start included):\n")
    print("| port | PortAtlas (s) | nmap -sV (s) |")
    print("| --- | --- | --- |")
    for p, o, n in per:
        print(f"| {p} | {float(o):.2f} | {float(n):.2f} |")
print(f"\nRatio (median): PortAtlas takes {statistics.median(t_ours) / statistics.median(t_nmap):.2f}x nmap's wall time. "
      "PortAtlas's time covers process start and detection only (the ports are given as open); nmap's includes its own port scan of the same ports.")
PY
echo "wrote $OUT" >&2
