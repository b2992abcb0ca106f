#!/usr/bin/env python3
"""Scores bench/blind/run.sh: per set (tuning, held-out) and tool, service / product / version right.

usage: score.py MANIFEST WORKDIR TIMES_FILE

WORKDIR holds <tool>-<set>.xml (tool in ours, nmap; set in tuning, heldout); TIMES_FILE has "<tool> <set> <secs>".
The rules are bench/score-detect.py's (its docstring), with product tokens for these daemons added below.
The per-port table shows the tools' answers for tuning ports only: held-out answers stay unread (marks only).
"""
import importlib.util
import os
import sys
from collections import defaultdict

spec = importlib.util.spec_from_file_location(
    "score_detect", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "score-detect.py"))
sd = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sd)
sd.ALIASES.update({
    "gnu mailutils pop3d": ["mailutils"],
    "gnu mailutils imap4d": ["mailutils"],
    "dropbear sshd": ["dropbear"],
    "monit httpd": ["monit"],
    "subversion svnserve": ["subversion", "svnserve", "svn"],
    "icecast streaming media server": ["icecast"],
    "php cli server": ["php"],
    "twistedweb httpd": ["twisted"],
    "powerdns recursor": ["powerdns"],
    "mini_httpd": ["mini_httpd", "mini-httpd", "mini httpd"],
    "distccd": ["distcc"],
    "pgbouncer": ["pgbouncer"],
})
SETS = (("tuning", "tuning"), ("heldout", "held-out"))


def main():
    manifest, work, times_file = sys.argv[1:4]
    rows = sd.read_manifest(manifest)
    got = {t: {} for t in ("ours", "nmap")}
    for tool in got:
        for s, _ in SETS:
            got[tool].update(sd.parse(f"{work}/{tool}-{s}.xml"))
    times = defaultdict(float)
    for line in open(times_file):
        tool, s, secs = line.split()
        times[(tool, s)] += float(secs)
    score = defaultdict(lambda: [0] * 6)
    print("| set | daemon | port | manifest: service / product version | PortAtlas | nmap -sV |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        s, daemon = r["notes"].split(" ", 1)
        key = (r["address"], r["protocol"], int(r["port"]))
        cells = []
        for tool in ("ours", "nmap"):
            _st, name, product, version = got[tool].get(key, ("", "", "", ""))
            has_p, has_v = r["product"] not in ("-", ""), r["version"] not in ("-", "")
            s_ok = sd.service_ok(r["service"], name)
            p_ok = has_p and sd.product_ok(r["product"], product)
            v_ok = has_v and p_ok and sd.version_ok(r["version"], version)
            sc = score[(s, tool)]
            for i, v in enumerate((s_ok, 1, p_ok, has_p, v_ok, has_v)):
                sc[i] += v
            marks = ("S" if s_ok else "s") + ("P" if p_ok else "p") + ("V" if v_ok else "v")
            text = (" ".join(x for x in (name, product, version) if x) or "(nothing)") if s == "tuning" else "(held out)"
            cells.append(f"{text} [{marks}]")
        print(f"| {s} | {daemon} | {r['port']}/{r['protocol']} | {r['service']} / {r['product']} {r['version']} | "
              f"{cells[0]} | {cells[1]} |")
    print("\n[SPV] = service, product, version right; lower case = wrong.\n")
    print("| set | tool | service right | product right | version right | wall time (s) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for s, label in SETS:
        for tool, tl in (("ours", "ports --detect"), ("nmap", "nmap -sV")):
            sc = score[(s, tool)]
            print(f"| {label} ({sc[1]}) | {tl} | {sc[0]} / {sc[1]} | {sc[2]} / {sc[3]} | {sc[4]} / {sc[5]} | "
                  f"{times[(tool, s)]:.1f} |")


if __name__ == "__main__":
    main()
