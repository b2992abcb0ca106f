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
def addr(i):
    return f"198.{18 + (i >> 16)}.{i >> 8 & 255}.{i & 255}"
with open(f"{w}/rich.xml", "w") as f:  # a /16 as nmap -sV writes it: ssh and http with versions and CPEs, a script, a filtered port, extraports
    f.write('<?xml version="1.0"?><nmaprun scanner="nmap" args="nmap -sV 198.18.0.0/16" start="1700000000" version="7.93">\n')
    for i in range(65_536):
        f.write(f'<host><status state="up" reason="syn-ack"/><address addr="{addr(i)}" addrtype="ipv4"/><hostnames><hostname name="h{i}.lab.test" type="PTR"/></hostnames><ports><extraports state="closed" count="2"/>'
                '<port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/><service name="ssh" product="OpenSSH" version="9.2p1 Debian 2+deb12u3" extrainfo="protocol 2.0" ostype="Linux" method="probed" conf="10"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe><cpe>cpe:/o:linux:linux_kernel</cpe></service></port>'
                '<port protocol="tcp" portid="80"><state state="open" reason="syn-ack"/><service name="http" product="nginx" version="1.22.1" method="probed" conf="10"><cpe>cpe:/a:igor_sysoev:nginx:1.22.1</cpe></service><script id="http-title" output="Welcome to nginx!"><elem key="title">Welcome to nginx!</elem></script></port>'
                '<port protocol="tcp" portid="443"><state state="filtered" reason="no-response"/><service name="https" method="table" conf="3"/></port></ports></host>\n')
    f.write('<runstats><finished time="1700000600" elapsed="600.00" exit="success"/><hosts up="65536" down="0" total="65536"/></runstats></nmaprun>\n')
with open(f"{w}/masscan.txt", "w") as f:  # masscan -oL of a /16, one open port each
    f.write("#masscan\n")
    for i in range(65_536):
        f.write(f"open tcp 80 {addr(i)} 1700000000\n")
    f.write("# end\n")
with open(f"{w}/naabu.json", "w") as f:  # naabu -json of a /16
    for i in range(65_536):
        f.write(f'{{"ip":"{addr(i)}","port":443,"protocol":"tcp","timestamp":"2026-12-01T00:00:00Z"}}\n')
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
run "Nmap XML, /16 as nmap -sV writes it (import --no-assess)" "$work/rich.xml" import "$work/rich.xml" --db "$work/r1.db" --no-assess
run "Nmap XML, /16 as nmap -sV writes it (import)" "$work/rich.xml" import "$work/rich.xml" --db "$work/r2.db"
run "show of that /16 (json)" "$work/r2.db" show 1 --db "$work/r2.db" --format json
run "masscan list, /16 (import)" "$work/masscan.txt" import "$work/masscan.txt" --db "$work/m.db"
run "naabu JSON, /16 (import)" "$work/naabu.json" import "$work/naabu.json" --db "$work/n.db"
run "Nmap XML, 775,000 hosts (import)" "$work/hosts-over.xml" import "$work/hosts-over.xml" --db "$work/h3.db"
run "history after 65,536-host import" "$work/h2.db" history --db "$work/h2.db"
run "targets file, 100 MB" "$work/targets.txt" scan -iL "$work/targets.txt" -p 9 -sT --no-save
run "targets file, one 100 MB line" "$work/longline.txt" scan -iL "$work/longline.txt" -p 9 -sT --no-save
run "NVD JSON, 1 GB (vulndb import)" "$work/nvd.json" vulndb import "$work/nvd.json" --vulndb "$work/v.db"
run "NVD JSON, one 200 MB string" "$work/nvd-one.json" vulndb import "$work/nvd-one.json" --vulndb "$work/v2.db"
