#!/usr/bin/env python3
"""Scores service detection against the lab manifest's truth (bench/compare-detect.sh --lab).

usage: score-detect.py MANIFEST WORKDIR TIMES_FILE

WORKDIR holds one Nmap-XML file per tool, protocol and host: <tool>-<tcp|udp>-<host>.xml, tool in {ours, nmap}
(PortAtlas writes the same XML with `-f xml`). TIMES_FILE has lines "<tool> <tcp|udp> <host> <seconds>".
Prints a markdown report: per-port table, then the summary rows (whole lab, new hosts, held-out set, UDP).

Scoring, per open manifest row (the sweep /24 is left out):
- service right: the tool's service name equals the manifest's after normalising: lower case; "ssl/X" (nmap's
  tunnel) counts as X's TLS name (http -> https, imap -> imaps, pop3 -> pop3s) or as X; http-alt counts as http.
- product right (only rows whose manifest names a product): any accepted token of the manifest product appears in
  the tool's product, case-insensitively. Accepted tokens come from ALIASES below, else the manifest product's
  first word (e.g. "Apache httpd" accepts "apache"; "Squid http proxy" accepts "squid").
- version right (only rows whose manifest gives a version): the tool's version equals the manifest's upstream
  version, or is a prefix of it ending at a dot with at least two components ("7.1" for 7.1.1: what the daemon
  itself says), or is the manifest's version followed by a packaging suffix ("9.18.49-1~deb12u3").
  nmap's "X or later" counts as no version. A version is only counted with the product right.
"""
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

ALIASES = {
    "apache httpd": ["apache httpd", "apache"],
    "mariadb": ["mariadb"],
    "postfix smtpd": ["postfix"],
    "dovecot": ["dovecot"],
    "redis key-value store": ["redis"],
    "postgresql": ["postgresql"],
    "net-snmp": ["net-snmp", "net snmp", "netsnmp"],
    "telnetd": ["telnetd"],
    "isc bind": ["bind"],
    "nlnet labs nsd": ["nsd"],
    "powerdns authoritative server": ["powerdns"],
    "knot dns": ["knot"],
    "mit kerberos": ["kerberos"],
    "samba smbd": ["samba"],
    "samba nmbd": ["samba", "nmbd"],
    "eclipse mosquitto": ["mosquitto"],
    "nats server": ["nats"],
    "prometheus node_exporter": ["node_exporter", "node exporter"],
    "zabbix agent": ["zabbix"],
    "nagios nrpe": ["nrpe"],
    "mumble server": ["mumble", "murmur"],
    "git daemon": ["git"],
    "dante socks5": ["dante"],
    "squid http proxy": ["squid"],
    "varnish http accelerator": ["varnish"],
    "avahi mdns": ["avahi"],
    "tftpd-hpa": ["tftpd-hpa", "hpa"],
    "gearmand": ["gearman"],
    "openldap": ["openldap"],
}
TLS_NAMES = {"http": "https", "imap": "imaps", "pop3": "pop3s", "smtp": "smtps", "ldap": "ldaps"}
HOSTS = ("198.18.0.2", "198.18.3.2", "198.18.4.2")
NEW_HOSTS = ("198.18.3.2", "198.18.4.2")


def norm_service(name):
    name = (name or "").lower()
    out = {name}
    if name.startswith("ssl/"):
        inner = name[4:]
        out |= {inner, TLS_NAMES.get(inner, inner)}
    return {"http" if n == "http-alt" else n for n in out}


def service_ok(truth, got):
    t = "http" if truth.lower() == "http-alt" else truth.lower()
    return bool(got) and t in norm_service(got)


def product_ok(truth, got):
    if not got:
        return False
    tokens = ALIASES.get(truth.lower(), [truth.split(" ")[0].lower()])
    return any(t in got.lower() for t in tokens)


def version_ok(truth, got):
    if not got or "or later" in got:
        return False
    got = got.split(" ")[0].lower()
    truth = truth.lower()
    if got == truth:
        return True
    # The upstream version followed by a packaging suffix ("9.18.49-1~deb12u3").
    if got.startswith(truth) and got[len(truth)] in "-+~ (":
        return True
    return truth.startswith(got + ".") and got.count(".") >= 1


def parse(path):
    found = {}
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return found
    for host in root.iter("host"):
        addr = next((a.get("addr") for a in host.iter("address") if a.get("addrtype") == "ipv4"), None)
        for port in host.iter("port"):
            s = port.find("service")
            st = port.find("state")
            name = product = version = ""
            if s is not None:
                name = s.get("name", "")
                if s.get("tunnel") == "ssl" and not name.startswith("ssl/"):
                    name = "ssl/" + name
                product, version = s.get("product", ""), s.get("version", "")
            found[(addr, port.get("protocol"), int(port.get("portid")))] = (
                st.get("state") if st is not None else "", name, product, version)
    return found


def read_manifest(path):
    """The manifest's rows as dicts keyed by its header line (comments and blank lines skipped)."""
    rows, header = [], None
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        c = line.rstrip("\n").split("\t")
        if header is None:
            header = c
            continue
        rows.append(dict(zip(header, c)))
    return rows


def main():
    manifest, work, times_file = sys.argv[1:4]
    rows = [r for r in read_manifest(manifest) if r["address"] in HOSTS and r["state"] == "open"]
    results = {}
    for tool in ("ours", "nmap"):
        got = {}
        for proto in ("tcp", "udp"):
            for h in HOSTS:
                got.update(parse(f"{work}/{tool}-{proto}-{h}.xml"))
        results[tool] = got
    times = defaultdict(float)
    for line in open(times_file):
        tool, proto, _host, secs = line.split()
        times[(tool, proto)] += float(secs)

    score = defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # (set, tool) -> svc, svc_n, prod, prod_n, ver, ver_n
    print("| host | port | manifest: service / product version | PortAtlas | nmap -sV | held-out |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        key = (r["address"], r["protocol"], int(r["port"]))
        heldout = "heldout" in r["notes"]
        sets = ["whole lab"]
        if r["address"] in NEW_HOSTS:
            sets.append("new hosts (pa-svc, pa-svc2)")
        if heldout:
            sets.append("held-out set")
        if r["protocol"] == "udp":
            sets.append("UDP")
        cells = []
        for tool in ("ours", "nmap"):
            _st, name, product, version = results[tool].get(key, ("", "", "", ""))
            s_ok = service_ok(r["service"], name)
            has_p = r["product"] not in ("-", "")
            has_v = r["version"] not in ("-", "")
            p_ok = has_p and product_ok(r["product"], product)
            v_ok = has_v and p_ok and version_ok(r["version"], version)
            for s in sets:
                sc = score[(s, tool)]
                sc[0] += s_ok
                sc[1] += 1
                sc[2] += p_ok
                sc[3] += has_p
                sc[4] += v_ok
                sc[5] += has_v
            marks = ("S" if s_ok else "s") + ("P" if p_ok else ("p" if has_p else "-")) + ("V" if v_ok else ("v" if has_v else "-"))
            text = " ".join(x for x in (name, product, version) if x) or "(nothing)"
            cells.append(f"{text} [{marks}]")
        mv = "" if r["version"] == "-" else " " + r["version"]
        mp = "" if r["product"] == "-" else " " + r["product"]
        print(f"| {r['address']} | {r['port']}/{r['protocol']} | {r['service']} /{mp}{mv} | {cells[0]} | {cells[1]} | "
              f"{'yes' if heldout else ''} |")
    print("\n[SPV] = service, product, version right; lower case = wrong; '-' = the manifest has none to score.\n")
    print("| ports | tool | service right | product right | version right |")
    print("| --- | --- | --- | --- | --- |")
    for s in ("whole lab", "new hosts (pa-svc, pa-svc2)", "held-out set", "UDP"):
        for tool, label in (("ours", "ports --detect"), ("nmap", "nmap -sV")):
            sc = score[(s, tool)]
            print(f"| {s} ({sc[1]}) | {label} | {sc[0]} / {sc[1]} | {sc[2]} / {sc[3]} | {sc[4]} / {sc[5]} |")
    print("\n| wall time (s) | TCP | UDP | total |")
    print("| --- | --- | --- | --- |")
    for tool, label in (("ours", "ports scan --detect"), ("nmap", "nmap -sV / -sU -sV")):
        t, u = times[(tool, "tcp")], times[(tool, "udp")]
        print(f"| {label} | {t:.1f} | {u:.1f} | {t + u:.1f} |")
    o = times[("ours", "tcp")] + times[("ours", "udp")]
    n = times[("nmap", "tcp")] + times[("nmap", "udp")]
    if n > 0:
        print(f"\nPortAtlas's total wall time is {o / n:.2f}x nmap's.")


if __name__ == "__main__":
    main()
