#!/usr/bin/env bash
# Peak RSS of `ports` on the largest hostile inputs of each kind (issue 13). Generates the files in a temporary
# directory, runs the built CLI under /usr/bin/time, prints "kind<TAB>size<TAB>exit<TAB>peak MB<TAB>seconds<TAB>first stderr line".
# Nothing is sent on the network: every scan case is refused before probing or names only 127.0.0.1 -p of a closed port.
#   bench/hostile/largest-inputs.sh [path/to/ports.dll]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dll="${1:-$root/src/PortAtlas.Cli/bin/Release/net10.0/ports.dll}"
work="$(mktemp -d /tmp/pa-largest.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/data"

run() { # kind file args...
  local kind=$1 file=$2; shift 2
  local size; size=$(du -h "$file" | cut -f1)
  local start; start=$(date +%s.%N)
  /usr/bin/time -f %M -o "$work/rss" dotnet "$dll" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  local end; end=$(date +%s.%N)
  printf '%s\t%s\t%s\t%s\t%.1f\t%s\n' "$kind" "$size" "$rc" "$(( $(tail -1 "$work/rss") / 1024 ))" "$(echo "$end - $start" | bc)" "$(head -1 "$work/err" | cut -c1-110)"
}

python3 - "$work" <<'PY'
import sys, os
w = sys.argv[1]
with open(f"{w}/attr.xml", "w") as f:  # a 200 MB attribute
    f.write('<?xml version="1.0"?><nmaprun args="'); f.write("A" * (200 << 20)); f.write('"></nmaprun>')
with open(f"{w}/hosts.xml", "w") as f:  # 65,536 hosts, one open port each (the limit)
    f.write('<?xml version="1.0"?><nmaprun args="nmap" start="1700000000">\n')
    for i in range(65_536):
        f.write(f'<host><status state="up"/><address addr="10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" addrtype="ipv4"/><ports><port protocol="tcp" portid="80"><state state="open" reason="syn-ack"/><service name="http"/></port></ports></host>\n')
    f.write('</nmaprun>\n')
with open(f"{w}/hosts-over.xml", "w") as f:  # 775,000 hosts: refused past 65,536
    f.write('<?xml version="1.0"?><nmaprun args="nmap" start="1700000000">\n')
    for i in range(775_000):
        f.write(f'<host><status state="up"/><address addr="10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" addrtype="ipv4"/></host>\n')
    f.write('</nmaprun>\n')
with open(f"{w}/targets.txt", "w") as f:  # 100 MB of targets
    line = "127.0.0.1\n"
    f.write(line * ((100 << 20) // len(line)))
with open(f"{w}/longline.txt", "w") as f:  # one 100 MB line
    f.write("1" * (100 << 20))
with open(f"{w}/nvd.json", "w") as f:  # 1 GB NVD feed, streamed: 10,000 records of 100 KB
    f.write('{"resultsPerPage":1,"vulnerabilities":[')
    desc = "x" * (100 << 10)
    for i in range(10_000):
        if i: f.write(",")
        f.write('{"cve":{"id":"CVE-2024-%d","descriptions":[{"lang":"en","value":"%s"}],"configurations":[]}}' % (i, desc))
    f.write("]}")
with open(f"{w}/nvd-one.json", "w") as f:  # one 200 MB string
    f.write('{"vulnerabilities":[{"cve":{"id":"'); f.write("A" * (200 << 20)); f.write('"}}]}')
PY

printf 'kind\tsize\texit\tpeak MB\ts\tstderr\n'
run "Nmap XML, 200 MB attribute (import)" "$work/attr.xml" import "$work/attr.xml" --db "$work/h1.db"
run "Nmap XML, 65,536 hosts (import)" "$work/hosts.xml" import "$work/hosts.xml" --db "$work/h2.db"
run "Nmap XML, 775,000 hosts (import)" "$work/hosts-over.xml" import "$work/hosts-over.xml" --db "$work/h3.db"
run "history after 65,536-host import" "$work/h2.db" history --db "$work/h2.db"
run "targets file, 100 MB" "$work/targets.txt" scan -iL "$work/targets.txt" -p 9 -sT --no-save
run "targets file, one 100 MB line" "$work/longline.txt" scan -iL "$work/longline.txt" -p 9 -sT --no-save
run "NVD JSON, 1 GB (vulndb import)" "$work/nvd.json" vulndb import "$work/nvd.json" --vulndb "$work/v.db"
run "NVD JSON, one 200 MB string" "$work/nvd-one.json" vulndb import "$work/nvd-one.json" --vulndb "$work/v2.db"
