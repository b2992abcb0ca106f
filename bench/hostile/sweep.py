#!/usr/bin/env python3
"""Hostile-input sweep of the built `ports` CLI after the format-2 reports and shards (2026-12-03).

Throws bad stored reports (crafted into a SQLite history), Nmap XML, CLI arguments and faults at the CLI and records,
per case: exit code, whether stderr has more than one line, a stack trace ("   at ") or "Exception", control bytes on
stdout/stderr/output files, CSV formulas, time and peak RSS. Every case is bounded (timeout, RSS is measured).

Run it inside a network namespace of your own so nothing that slips through a check can reach a foreign port:
  ip netns add h-hostile-ns; ip netns exec h-hostile-ns ip link set lo up
  PORTATLAS_SAFE_TARGETS=1 ip netns exec h-hostile-ns python3 bench/hostile/sweep.py [ports.dll] [--only CLASS]
  ip netns del h-hostile-ns
Prints one TSV row per case (class, name, verdict, exit, seconds, MB, first stderr line) and a summary per class.
"""
import json, os, re, shutil, signal, socket, sqlite3, subprocess, sys, tempfile, threading, time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
args = [a for i, a in enumerate(sys.argv[1:], 1) if not a.startswith("--") and sys.argv[i - 1] != "--only"]
DLL = os.path.abspath(args[0]) if args else os.path.join(ROOT, "src/PortAtlas.Cli/bin/Release/net10.0/ports.dll")
ONLY = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
W = tempfile.mkdtemp(prefix="pa-sweep.")
os.chdir(W)  # relative --db paths of the cases land here
ENV = dict(os.environ, XDG_DATA_HOME=f"{W}/data", HOME=W, COLUMNS="200", PORTATLAS_SAFE_TARGETS="1", NO_COLOR="1")
TIMEOUT = 60
MAX_MB = 600
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def p(name):
    return os.path.join(W, name)


class Case:
    def __init__(self, cls, name, argv, exits, check=None, env=None, setup=None, timeout=TIMEOUT, outputs=()):
        self.cls, self.name, self.argv, self.exits, self.check = cls, name, argv, exits, check
        self.env, self.setup, self.timeout, self.outputs = env, setup, timeout, outputs


def run(case):
    if case.setup:
        case.setup()
    env = dict(ENV, **(case.env or {}))
    for k, v in list(env.items()):
        if v is None:
            del env[k]
    rss = p(f"rss.{threading.get_ident()}")
    start = time.monotonic()
    # A session of its own, so that a timeout kills the CLI too, not only /usr/bin/time.
    # Output to files, read back at most 8 MB each: a runaway case must not fill this script's memory.
    with open(getattr(case, "stdout", rss + ".out"), "wb") as out_f, open(rss + ".err", "wb") as err_f:
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss, "dotnet", DLL, *case.argv], env=env, start_new_session=True,
                                stdout=out_f, stderr=err_f, stdin=subprocess.DEVNULL)
        try:
            proc.wait(timeout=case.timeout)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code = "timeout"
    out, err = (open(rss + ext, "rb").read(8 << 20) if os.path.exists(rss + ext) else b"" for ext in (".out", ".err"))
    if hasattr(case, "stdout"):
        out = b""
    seconds = time.monotonic() - start
    try:
        mb = int(open(rss).read().split()[-1]) // 1024
    except (OSError, ValueError, IndexError):
        mb = -1
    out_t, err_t = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    problems = []
    if code == "timeout":
        problems.append(f"timed out after {case.timeout} s")
    elif code not in case.exits:
        problems.append(f"exit {code}, expected {'/'.join(map(str, case.exits))}")
    lines = [l for l in err_t.split("\n") if l.strip()]
    # Progress lines of a scan that saves ("ports: shard ...", "ports: saved ...") are informational; judge failures only.
    if code not in (0, "timeout") and len([l for l in lines if not l.startswith("ports: shard ") and not l.startswith("ports: saved ")]) > 1:
        problems.append(f"{len(lines)} stderr lines")
    if "   at " in err_t or "Exception" in err_t or "Unhandled" in err_t:
        problems.append("stack trace / exception name on stderr")
    if "internal error" in err_t:
        problems.append("'internal error' for bad input")
    if CONTROL.search(out_t.replace("\r\n", "\n")) or CONTROL.search(err_t):
        problems.append("control bytes on stdout/stderr")
    for path in case.outputs:
        if os.path.isfile(p(path)):
            text = open(p(path), "rb").read().decode("utf-8", "replace")
            if CONTROL.search(text.replace("\r\n", "\n").replace("\t", " ")):
                problems.append(f"control bytes in {path}")
            if path.endswith(".csv") and csv_formula(text):
                problems.append(f"{path}: {csv_formula(text)}")
    if mb > MAX_MB:
        problems.append(f"peak RSS {mb} MB")
    if case.check and code != "timeout":
        msg = case.check(code, out_t, err_t)
        if msg:
            problems.append(msg)
    return case, code, seconds, mb, (lines[0] if lines else ""), problems


def csv_formula(text):
    for line in text.split("\n"):
        for raw in line.rstrip("\r").split(","):
            cell = raw[1:] if raw.startswith('"') else raw
            if cell and (cell[0] in "=+@\t\r" or (len(cell) > 1 and cell[0] == "-" and not cell[1].isdigit())):
                return f"CSV cell starts a formula: {cell[:40]!r}"
    return None


def csv_out(code, out, err):
    return csv_formula(out)


def no_text(text):
    return lambda code, out, err: f"output contains {text!r}" if text in out or text in err else None


# ---------------------------------------------------------------------------------------------------------------------
# Fixtures

def write(name, data, mode="w"):
    with open(p(name), mode) as f:
        f.write(data)
    return p(name)


def nmap_xml(hosts_xml, args="nmap -sV 198.18.0.1"):
    return (f'<?xml version="1.0"?>\n<nmaprun scanner="nmap" args="{args}" start="1700000000" version="7.93">\n'
            f'{hosts_xml}<runstats><finished time="1700000600"/></runstats></nmaprun>\n')


def host_xml(addr, ports="", kind="ipv4", extra=""):
    return (f'<host><status state="up" reason="syn-ack"/><address addr="{addr}" addrtype="{kind}"/>{extra}'
            f'<ports>{ports}</ports></host>\n')


def port_xml(portid, state="open", proto="tcp", service='<service name="ssh" product="OpenSSH" version="9.2"/>'):
    return f'<port protocol="{proto}" portid="{portid}"><state state="{state}" reason="syn-ack"/>{service}</port>'


BASE = write("base.xml", nmap_xml(host_xml("198.18.0.1", port_xml(22), extra='<hostnames><hostname name="a.test" type="PTR"/></hostnames>')
                                  + host_xml("198.18.0.2", '<extraports state="closed" count="2"/>')))
subprocess.run(["dotnet", DLL, "import", BASE, "--db", p("base.db")], env=ENV, check=True, stdout=subprocess.DEVNULL)
GOOD_REPORT = sqlite3.connect(p("base.db")).execute("SELECT CAST(report_json AS TEXT) FROM scans WHERE id = 1").fetchone()[0]


def stored(name, report, blob=False, sql=None):
    """A copy of the base history whose scan 1 holds `report` (a str, or bytes stored as a blob / invalid text)."""
    db = p(f"rj-{name}.db")

    def setup():
        shutil.copy(p("base.db"), db)
        con = sqlite3.connect(db)
        value = sqlite3.Binary(report) if blob else report
        con.execute("UPDATE scans SET report_json = ? WHERE id = 1", (value,))
        if sql:
            con.execute(sql)
        con.commit()
        con.close()
    return db, setup


def report_with(host_changes=None, stats_changes=None, hosts=None, port_changes=None, service_changes=None):
    r = json.loads(GOOD_REPORT)
    if hosts is not None:
        r["hosts"] = hosts
    h = r["hosts"][0] if r["hosts"] and isinstance(r["hosts"][0], dict) else None
    if h is not None and host_changes:
        h.update(host_changes)
    if h is not None and port_changes:
        h["ports"][0].update(port_changes)
    if h is not None and service_changes:
        h["ports"][0]["service"].update(service_changes)
    if stats_changes:
        r["stats"].update(stats_changes)
    return json.dumps(r)


def plain(addr, repeat, **kw):
    h = {"address": addr, "state": "up", "stateReason": "syn-ack", "stateCounts": {"filtered": 100}, "ports": [], "repeat": repeat}
    h.update(kw)
    return h


def raw_repeat(addr, repeat_text):
    r = json.loads(GOOD_REPORT)
    text = json.dumps(r)
    host = json.dumps(plain(addr, 0)).replace('"repeat": 0', f'"repeat": {repeat_text}')
    return text.replace('"hosts": [', f'"hosts": [{host}, ', 1)


cases = []
STORE_EXITS = (1, 2)  # a damaged stored report: a storage failure (1) or bad input (2), in one line
VIEWS = [("show table", ["show", "1"]), ("show csv", ["show", "1", "-f", "csv"]), ("show html", ["show", "1", "-f", "html"]),
         ("diff", ["diff", "1", "1"]), ("report csv", ["report", "1", "-o", "{out}.csv"])]


def report_cases(name, report, exits, blob=False, views=VIEWS, sql=None, check=None):
    db, setup = stored(name, report, blob, sql)
    first = True
    for view, argv in views:
        out = f"out-{name}-{view.replace(' ', '-')}"
        full = [a.replace("{out}", p(out)) for a in argv] + ["--db", db]
        cases.append(Case("report-json", f"{name}: {view}", full, exits, check=check, setup=setup if first else None,
                          outputs=[f"{out}.csv"] if "{out}" in " ".join(argv) else ()))
        first = False


# Repeat: huge, negative, not an integer, past the end of IPv4, on IPv6, on a host with ports.
report_cases("repeat-2^31", raw_repeat("0.0.0.0", str(2**31)), STORE_EXITS)
report_cases("repeat-2^32", raw_repeat("0.0.0.0", str(2**32)), STORE_EXITS)
report_cases("repeat-2^63", raw_repeat("0.0.0.0", str(2**63)), STORE_EXITS)
report_cases("repeat-int64max", raw_repeat("10.0.0.0", str(2**63 - 1)), STORE_EXITS)
report_cases("repeat-neg", raw_repeat("10.0.0.0", "-1"), STORE_EXITS)
report_cases("repeat-1.5", raw_repeat("10.0.0.0", "1.5"), STORE_EXITS)
report_cases("repeat-1e3", raw_repeat("10.0.0.0", "1e3"), STORE_EXITS + (0,))
report_cases("repeat-string", raw_repeat("10.0.0.0", '"3"'), STORE_EXITS + (0,))
report_cases("repeat-past-v4-end", raw_repeat("255.255.255.250", "10"), STORE_EXITS)
report_cases("repeat-to-v4-end", raw_repeat("255.255.255.250", "5"), (0,))
report_cases("repeat-ipv6", raw_repeat("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0", "100"), STORE_EXITS)
report_cases("repeat-ipv6-small", raw_repeat("::1", "1"), STORE_EXITS)
report_cases("repeat-many-2^30", json.dumps(dict(json.loads(GOOD_REPORT), hosts=[plain("0.0.0.0", 2**30 - 1), plain("64.0.0.0", 2**30 - 1), plain("128.0.0.0", 2**30 - 1)])), STORE_EXITS)
report_cases("repeat-on-host-with-ports", report_with(host_changes={"repeat": 16_000_000}), STORE_EXITS)
report_cases("repeat-on-host-with-name", json.dumps(dict(json.loads(GOOD_REPORT), hosts=[plain("10.0.0.0", 16_000_000, hostname="x.test")])), STORE_EXITS)
report_cases("repeat-overlapping-runs", json.dumps(dict(json.loads(GOOD_REPORT), hosts=[plain("10.0.0.0", 10), plain("10.0.0.5", 10)])), STORE_EXITS + (0,))
report_cases("repeat-2^31-100", raw_repeat("0.0.0.0", str(2**31 - 100)), STORE_EXITS + (0,), views=VIEWS[:1])
# Nesting, duplicates, wrong types, truncation, empty, bytes.
deep = GOOD_REPORT.replace('"hosts":', '"x":' + "[" * 5000 + "]" * 5000 + ',"hosts":', 1)
report_cases("deep-5000", deep, STORE_EXITS)
report_cases("deep-60", GOOD_REPORT.replace('"hosts":', '"x":' + "[" * 60 + "]" * 60 + ',"hosts":', 1), STORE_EXITS + (0,))
report_cases("dup-keys", GOOD_REPORT.replace('"address":"198.18.0.1"', '"address":"198.18.0.1","address":"198.18.0.9"', 1), STORE_EXITS + (0,))
report_cases("dup-hosts", GOOD_REPORT.replace('"hosts":[', '"hosts":[],"hosts":[', 1), STORE_EXITS + (0,))
for nm, rep in {
    "hosts-object": report_with(hosts={}), "hosts-string": json.dumps(dict(json.loads(GOOD_REPORT), hosts="x")),
    "host-number": report_with(hosts=[5]), "ports-number": report_with(host_changes={"ports": 5}),
    "port-string": report_with(port_changes={"port": "22"}), "port-70000": report_with(port_changes={"port": 70000}),
    "port-neg": report_with(port_changes={"port": -1}), "port-2^40": report_with(port_changes={"port": 2**40}),
    "state-bogus": report_with(port_changes={"state": "bogus"}), "protocol-bogus": report_with(port_changes={"protocol": "\u001b[2J"}),
    "address-999": report_with(host_changes={"address": "999.1.1.1"}), "address-missing": report_with(host_changes={"address": None}),
    "port-address-v6": report_with(port_changes={"address": "::1"}),
    "counts-string": report_with(host_changes={"stateCounts": {"open": "x"}}), "counts-1e30": report_with(host_changes={"stateCounts": {"open": 1e30}}),
    "counts-negative": report_with(host_changes={"stateCounts": {"open": -5}}),
    "format-string": report_with().replace('"format": 2', '"format": "x"'), "format-3": report_with().replace('"format": 2', '"format": 3'),
    "format-1e99": report_with().replace('"format": 2', '"format": 1e99'), "format-1": report_with().replace('"format": 2', '"format": 1'),
    "started-bad": report_with(stats_changes={"started": "yesterday"}), "started-number": report_with(stats_changes={"started": 5}),
    "stats-ports-bad": report_with(stats_changes={"ports": "\u001b[2J1-"}), "stats-array": json.dumps(dict(json.loads(GOOD_REPORT), stats=[])),
    "hostsScanned-neg": report_with(stats_changes={"hostsScanned": -1, "portsScanned": -7}),
    "hostsScanned-float": report_with(stats_changes={"hostsScanned": 0.5}),
    "interrupted-string": report_with(stats_changes={"interrupted": "yes"}),
    "elements-pair-short": report_with(host_changes={"scripts": [{"id": "x", "output": "y", "elements": [["k"]]}]}),
    "elements-not-pairs": report_with(host_changes={"scripts": [{"id": "x", "output": "y", "elements": [5]}]}),
    "elements-numbers": report_with(host_changes={"scripts": [{"id": "x", "output": "y", "elements": [[1, 2]]}]}),
    "scripts-object": report_with(host_changes={"scripts": {"id": "x"}}),
    "facts-number": report_with(service_changes={"facts": {"k": 5}}), "facts-array": report_with(service_changes={"facts": [1]}),
    "cpe-numbers": report_with(service_changes={"cpe": [1, 2]}), "cpe-string": report_with(service_changes={"cpe": "x"}),
    "tls-string": report_with(service_changes={"tls": "x"}), "tls-keybits-huge": report_with(service_changes={"tls": {"keyBits": 2**40}}),
    "tls-notafter-bad": report_with(service_changes={"tls": {"notAfter": "never"}}),
    "tls-accepted-garbage": report_with(service_changes={"tls": {"accepted": {"TLSv1.2": 5}, "groups": "x"}}),
    "findings-object": report_with(port_changes={"findings": {"a": 1}}), "findings-bad-severity": report_with(port_changes={"findings": [{"id": "x", "severity": "apocalyptic"}]}),
    "roundtrip-string": report_with(port_changes={"roundTripTicks": "x"}), "roundtrip-huge": report_with(port_changes={"roundTripTicks": 2**63 - 1}),
    "roundtrip-neg": report_with(port_changes={"roundTripTicks": -(2**63)}),
    "osmatches-garbage": report_with(host_changes={"osMatches": [{"name": 5, "accuracy": 2**40, "classes": [{"cpe": "x"}]}]}),
    "protocols-bad-state": report_with(host_changes={"protocols": [{"number": 6, "state": "weird"}]}),
    "hostnames-numbers": report_with(host_changes={"hostnames": [1, 2]}),
    "root-array": "[]", "root-null": "null", "root-number": "5", "root-string": '"x"',
    "truncated": GOOD_REPORT[: len(GOOD_REPORT) // 2], "truncated-1": GOOD_REPORT[:-1], "empty": "", "space": "   ",
    "nul-inside": GOOD_REPORT.replace('"a.test"', '"a\u0000test"', 1), "nul-raw": GOOD_REPORT[:40] + "\x00" + GOOD_REPORT[40:],
    "trailing-garbage": GOOD_REPORT + "}{", "two-documents": GOOD_REPORT + GOOD_REPORT,
    "comments": GOOD_REPORT.replace("{", "/*x*/{", 1), "bom": "\ufeff" + GOOD_REPORT,
}.items():
    report_cases(nm, rep, STORE_EXITS + (0,), views=VIEWS[:2] + VIEWS[3:4])
report_cases("invalid-utf8-blob", GOOD_REPORT.encode().replace(b"a.test", b"a\xff\xfe\xc0test"), STORE_EXITS + (0,), blob=True)
report_cases("nul-blob", b"\x00" * 1000, STORE_EXITS, blob=True)
report_cases("utf16-blob", GOOD_REPORT.encode("utf-16"), STORE_EXITS, blob=True)
report_cases("zero-blob", b"", STORE_EXITS, blob=True)
# Outside text: escape sequences and CSV formulas in every field a view prints.
EVIL = {"esc": "\u001b]0;pwn\u0007\u001b[2J\u009b31m", "eq": "=cmd|' /C calc'!A0", "plus": "+1+cmd|x", "minus": "-2+3+cmd|x", "at": "@SUM(1+1)*cmd|x",
        "tab": "\t=1", "bidi": "\u202eevil\u202c", "cr": "a\rb\nc", "lt": "</td><script>alert(1)</script>", "fmt": "%s%n{0}"}
ALL_VIEWS = VIEWS + [("show json", ["show", "1", "-f", "json"]), ("show xml", ["show", "1", "-f", "xml"]), ("show grep", ["show", "1", "-f", "grep"]),
                     ("show jsonl", ["show", "1", "-f", "jsonl"]), ("show sarif", ["show", "1", "-f", "sarif"]), ("diff text", ["diff", "1", "1", "-f", "text"]),
                     ("report html", ["report", "1", "-o", "{out}.html"]), ("report md-ish xml", ["report", "1", "-o", "{out}.xml"]), ("history", ["history"]),
                     ("history csv", ["history", "-f", "csv"])]
for key, evil in EVIL.items():
    rep = report_with(host_changes={"hostname": evil, "hostnames": [{"name": evil, "type": evil}], "macVendor": evil,
                                    "osMatches": [{"name": evil, "accuracy": 90, "classes": [{"vendor": evil, "cpe": [evil]}]}],
                                    "scripts": [{"id": evil, "output": evil, "elements": [[evil, evil]]}]},
                      service_changes={"name": evil, "product": evil, "version": evil, "extraInfo": evil, "cpe": [evil], "evidence": evil,
                                       "facts": {evil: evil}, "tls": {"subject": evil, "issuer": evil, "subjectAlternativeNames": [evil]}},
                      port_changes={"reason": evil, "findings": [{"id": evil, "title": evil, "severity": "high", "evidence": evil, "remediation": evil, "references": [evil]}],
                                    "scripts": [{"id": evil, "output": evil}]},
                      stats_changes={"commandLine": evil, "scanner": evil, "scannerVersion": evil})
    report_cases(f"evil-{key}", rep, (0,), views=ALL_VIEWS, sql="UPDATE scans SET command_line = ?1 WHERE id = 1".replace("?1", "'" + evil.replace("'", "''") + "'"))
for c in cases:
    if c.name.startswith("evil-") and (c.name.endswith("csv") or c.name.endswith("history csv")) and not c.outputs:
        c.check = csv_out

# Scan groups with damaged rows.
def group_db(name, plan_json=None, shard_state="done", shard_count=2, total=10, decided=5, group="g-evil"):
    db = p(f"grp-{name}.db")

    def setup():
        shutil.copy(p("base.db"), db)
        con = sqlite3.connect(db)
        cfg = plan_json if plan_json is not None else (con.execute("SELECT config_json FROM scans WHERE id=1").fetchone()[0] or "{}")
        con.execute("INSERT INTO scan_groups VALUES (?, 'fp', ?, 0, '198.18.0.0/24', ?)", (group, shard_count, cfg))
        con.execute("INSERT INTO group_shards VALUES (?, 0, ?, NULL, 1, ?, ?, 0)", (group, shard_state, decided, total))
        con.commit()
        con.close()
    return db, setup


for nm, kw in {"plan-garbage": {"plan_json": "{"}, "plan-empty": {"plan_json": ""}, "plan-array": {"plan_json": "[]"},
               "state-evil": {"shard_state": "\u001b[2Jdone"}, "count-0": {"shard_count": 0}, "count-neg": {"shard_count": -3},
               "total-neg": {"total": -1, "decided": 5}, "decided-over": {"decided": 2**62, "total": 1},
               "name-evil": {"group": "g\u001b[2J\nx"}}.items():
    db, setup = group_db(nm, **kw)
    gname = kw.get("group", "g-evil")
    cases.append(Case("groups", f"{nm}: history", ["history", "--db", db], (0, 1, 2), setup=setup))
    cases.append(Case("groups", f"{nm}: show group", ["show", gname, "--db", db], (0, 1, 2)))
    cases.append(Case("groups", f"{nm}: report group", ["report", gname, "-o", p(f"grp-{nm}.csv"), "--db", db], (0, 1, 2), outputs=[f"grp-{nm}.csv"]))

# Checkpoints with damaged JSON: `scan --resume` refuses before any packet.
for nm, cj in {"ckpt-garbage": "{", "ckpt-empty": "", "ckpt-array": "[]", "ckpt-partial-repeat": '{"partial":{"format":2,"hosts":[{"address":"0.0.0.0","repeat":-5}]}}',
               "ckpt-deep": "[" * 10000}.items():
    db = p(f"{nm}.db")

    def setup(db=db, cj=cj):
        shutil.copy(p("base.db"), db)
        con = sqlite3.connect(db)
        con.execute("INSERT INTO checkpoints (created_at, updated_at, targets, position, checkpoint_json) VALUES (0, 0, '198.18.0.1', 0, ?)", (cj,))
        con.commit()
        con.close()
    cases.append(Case("checkpoints", f"{nm}: scan --resume", ["scan", "--resume", "1", "--db", db, "-n"], (1, 2), setup=setup))
    cases.append(Case("checkpoints", f"{nm}: history", ["history", "--db", db], (0, 1)))

# ---------------------------------------------------------------------------------------------------------------------
# Nmap XML import (and `report FILE.xml`, which reads the same).
def xml_cases(name, text, exits, check=None, mode="w", report=True):
    path = write(f"x-{name}.xml", text, mode)
    cases.append(Case("nmap-xml", f"{name}: import", ["import", path, "--db", p(f"x-{name}.db")], exits, check=check))
    if report:
        cases.append(Case("nmap-xml", f"{name}: report", ["report", path, "-o", p(f"x-{name}.csv")], exits, outputs=[f"x-{name}.csv"]))


laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)) + ']><nmaprun args="&lol9;"></nmaprun>')
xml_cases("billion-laughs", laughs, (2,))
xml_cases("external-entity", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><nmaprun args="&e;"><host><status state="up"/><address addr="198.18.0.1" addrtype="ipv4"/><hostnames><hostname name="&e;"/></hostnames></host></nmaprun>', (2,), check=no_text("root:"))
# A DOCTYPE without entities is ignored (inert): nothing is fetched or read.
xml_cases("external-dtd", '<?xml version="1.0"?><!DOCTYPE nmaprun SYSTEM "http://198.18.6.2/x.dtd"><nmaprun></nmaprun>', (0, 2))
xml_cases("param-entity", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><nmaprun args="x"/>', (0, 2), check=no_text("root:"))
xml_cases("xinclude", nmap_xml(host_xml("198.18.0.1", port_xml(22)).replace("<host>", '<host xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/>')), (0, 2), check=no_text("root:"))
xml_cases("attr-1MB-hostname", nmap_xml(host_xml("198.18.0.1", port_xml(22), extra=f'<hostnames><hostname name="{"a" * (1 << 20)}" type="PTR"/></hostnames>')), (0, 2))
xml_cases("attr-1MB-product", nmap_xml(host_xml("198.18.0.1", port_xml(22, service=f'<service name="ssh" product="{"p" * (1 << 20)}"/>'))), (0, 2))
xml_cases("attr-many", nmap_xml(host_xml("198.18.0.1", port_xml(22)).replace("<host>", "<host " + " ".join(f'a{i}="x"' for i in range(100000)) + ">")), (0, 2))
xml_cases("missing-addr", nmap_xml('<host><status state="up"/><address addrtype="ipv4"/><ports>' + port_xml(22) + "</ports></host>"), (0, 2))
xml_cases("missing-address-element", nmap_xml('<host><status state="up"/><ports>' + port_xml(22) + "</ports></host>"), (0, 2))
xml_cases("missing-portid", nmap_xml(host_xml("198.18.0.1", '<port protocol="tcp"><state state="open"/></port>')), (0, 2))
xml_cases("missing-protocol", nmap_xml(host_xml("198.18.0.1", '<port portid="22"><state state="open"/></port>')), (0, 2))
xml_cases("missing-state", nmap_xml(host_xml("198.18.0.1", '<port protocol="tcp" portid="22"/>')), (0, 2))
xml_cases("missing-status", nmap_xml('<host><address addr="198.18.0.1" addrtype="ipv4"/><ports>' + port_xml(22) + "</ports></host>"), (0, 2))
for pn in ["0", "65536", "-1", "abc", "99999999999999999999", " 22", "22.0", "0x16", "", "\u0661\u0662"]:
    # Port 0 is a port Nmap scans when named (-p0).
    xml_cases(f"port-{pn.strip() or 'empty'}-{len(pn)}", nmap_xml(host_xml("198.18.0.1", port_xml(pn))), (2,) if pn.strip() not in ("22", "0") else (0, 2))
for st in ["bogus", "\u001b[2J", "", "OPEN", "open|filtered", "unfiltered", "closed|filtered"]:
    xml_cases(f"state-{st.encode().hex() or 'empty'}", nmap_xml(host_xml("198.18.0.1", port_xml(22, state=st))), (0, 2))
xml_cases("proto-bogus", nmap_xml(host_xml("198.18.0.1", port_xml(22, proto="xyz"))), (0, 2))
xml_cases("host-state-bogus", nmap_xml(host_xml("198.18.0.1", port_xml(22)).replace('state="up"', 'state="sideways"')), (0, 2))
xml_cases("addr-v6-as-v4", nmap_xml(host_xml("::1", port_xml(22), kind="ipv4")), (0, 2))
xml_cases("addr-zone", nmap_xml(host_xml("fe80::1%eth0", port_xml(22), kind="ipv6")), (0, 2))
xml_cases("addr-999", nmap_xml(host_xml("999.1.1.1", port_xml(22))), (2,))
xml_cases("addr-mac-only", nmap_xml('<host><status state="up"/><address addr="00:11:22:33:44:55" addrtype="mac"/></host>'), (0, 2))
xml_cases("mixed-v4-v6", nmap_xml("".join(host_xml(f"198.18.0.{i}", port_xml(22)) + host_xml(f"2001:db8::{i:x}", port_xml(80), kind="ipv6") for i in range(1, 200))), (0,))
xml_cases("dup-host", nmap_xml(host_xml("198.18.0.1", port_xml(22)) * 3), (0, 2))
xml_cases("dup-port", nmap_xml(host_xml("198.18.0.1", port_xml(22) * 3)), (0, 2))
xml_cases("many-ports-one-host", nmap_xml(host_xml("198.18.0.1", "".join(port_xml(i % 65535 + 1) for i in range(200_000)))), (0, 2))
xml_cases("truncated-mid-host", nmap_xml(host_xml("198.18.0.1", port_xml(22)) * 5)[:-120], (0, 2))
xml_cases("truncated-mid-attr", nmap_xml(host_xml("198.18.0.1", port_xml(22)) * 5)[:300], (0, 2))
xml_cases("nul-bytes", nmap_xml(host_xml("198.18.0.1", port_xml(22)), args="nmap\x00x"), (2,))
xml_cases("nul-in-attr", nmap_xml(host_xml("198.18.0.1", port_xml(22), extra='<hostnames><hostname name="a&#0;b"/></hostnames>')), (0, 2))
xml_cases("invalid-utf8", nmap_xml(host_xml("198.18.0.1", port_xml(22), extra='<hostnames><hostname name="aXXb"/></hostnames>')).encode().replace(b"XX", b"\xff\xc0"), (0, 2), mode="wb")
xml_cases("utf16", nmap_xml(host_xml("198.18.0.1", port_xml(22))).replace('version="1.0"', 'version="1.0" encoding="utf-16"').encode("utf-16"), (0, 2), mode="wb")
xml_cases("encoding-ebcdic", nmap_xml(host_xml("198.18.0.1", port_xml(22))).replace('version="1.0"', 'version="1.0" encoding="IBM037"'), (0, 2))
xml_cases("zero-bytes", "", (2,))
xml_cases("only-bom", "\ufeff", (2,))
xml_cases("not-nmap-root", "<html><body/></html>", (2,))
xml_cases("nmaprun-empty", "<nmaprun/>", (0, 2))
xml_cases("deep-nesting", "<nmaprun>" + "<x>" * 100000 + "</x>" * 100000 + "</nmaprun>", (0, 2))
xml_cases("deep-in-host", nmap_xml('<host><status state="up"/><address addr="198.18.0.1" addrtype="ipv4"/>' + "<x>" * 50000 + "</x>" * 50000 + "</host>"), (0, 2))
xml_cases("pi-and-cdata", nmap_xml(host_xml("198.18.0.1", port_xml(22, service='<service name="ssh"><![CDATA[\u001b[2J]]></service>')).replace("<host>", "<?evil x?><host>")), (0, 2))
xml_cases("hostile-strings", nmap_xml(host_xml("198.18.0.1", port_xml(22, service='<service name="=cmd|x" product="&#x9b;2J&#x9d;0;pwn&#x9c;" version="+1" extrainfo="@SUM(1)"/>'),
                                                extra='<hostnames><hostname name="-2+3&#x9b;31m" type="PTR"/></hostnames>')), (0, 2))
# XML 1.0 has no ESC or BEL even as a character reference: refused as not well-formed.
xml_cases("esc-char-ref", nmap_xml(host_xml("198.18.0.1", port_xml(22, service='<service name="ssh" product="&#x1b;]0;pwn&#x7;"/>'))), (2,))
xml_cases("hostile-script", nmap_xml(host_xml("198.18.0.1", port_xml(22, service='<service name="ssh"/><script id="=x" output="&#x9b;2J&#x9d;52;c;ZXZpbA==&#x9c;"><elem key="@k">=v</elem></script>'))), (0,))
hosts100k = "".join(f'<host><status state="up"/><address addr="10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" addrtype="ipv4"/><ports>{port_xml(80)}</ports></host>\n' for i in range(100_000))
xml_cases("100k-hosts", nmap_xml(hosts100k), (2,), check=lambda c, o, e: None if "65,536" in e else "the host limit is not stated", report=True)
# A 2 GB sparse file: refused fast (not read into memory) by every reader.
sparse = p("sparse-2g.bin")
with open(sparse, "wb") as f:
    f.truncate(2 << 30)
cases.append(Case("nmap-xml", "2 GB sparse: import", ["import", sparse, "--db", p("sparse.db")], (2,), timeout=120))
cases.append(Case("nmap-xml", "2 GB sparse: report", ["report", sparse, "-o", p("sparse.html")], (2,), timeout=120))
cases.append(Case("files", "2 GB sparse: --db", ["history", "--db", sparse], (1, 2), timeout=60))
cases.append(Case("files", "2 GB sparse: -iL", ["scan", "-iL", sparse, "--no-save", "-n"], (2,), timeout=60))
cases.append(Case("files", "2 GB sparse: --rules", ["scan", "198.18.0.1", "-p", "1", "--no-save", "-n", "--rules", sparse], (2,), timeout=60))
cases.append(Case("files", "2 GB sparse: vulndb import", ["vulndb", "import", sparse, "--vulndb", p("v-sparse.db")], (2,), timeout=120))

# ---------------------------------------------------------------------------------------------------------------------
# CLI arguments. Scans go to 127.0.0.1 inside the namespace only, to a port this script opened.
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(64)
PORT = str(listener.getsockname()[1])
# More listeners for the signal cases, so that a stopped scan has found some whatever its order.
extra_listeners = []
for port in range(20001, 20041):
    s_ = socket.socket()
    s_.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s_.bind(("127.0.0.1", port))
        s_.listen(8)
        extra_listeners.append(s_)
    except OSError:
        s_.close()
SCAN = ["scan", "127.0.0.1", "-p", PORT, "-sT", "-n", "--seed", "7"]
for i, v in enumerate(["0/0", "5/4", "4/4", "-1/4", "1/0", "a/b", "1/4294967296", "", "1", "/", "1/", "/4", "0/1/2", " 0/4", "0/4 ", "\u0660/4",
                       "+0/4", "0x0/4", "0/99999999999", "1.5/4", "0/-4", "\u001b[2J/4", "0/4\n", "00000000000000000000/4", "0/65537"]):
    cases.append(Case("cli-shard", f"--shard {v!r}", [*SCAN, "--shard", v, "--db", p(f"shard-{i}.db")], (0, 2) if v in ("00000000000000000000/4", "0/65537") else (2,)))
cases.append(Case("cli-shard", "--shard 0/4 valid", [*SCAN, "--shard", "0/4", "--db", p("shard-ok.db")], (0,)))
cases.append(Case("cli-shard", "--shard without --seed", ["scan", "127.0.0.1", "-p", PORT, "-sT", "-n", "--shard", "0/2", "--db", p("shard-noseed.db")], (2,)))
cases.append(Case("cli-shard", "--shard with --no-save", [*SCAN, "--shard", "0/2", "--no-save"], (2,)))
cases.append(Case("cli-shard", "--shard twice", [*SCAN, "--shard", "0/2", "--shard", "1/2", "--db", p("shard-twice.db")], (2,)))
cases.append(Case("cli-shard", "--shard and --shard-from-env", [*SCAN, "--shard", "0/2", "--shard-from-env", "--db", p("shard-both.db")], (2,), env={"JOB_COMPLETION_INDEX": "0", "PORTATLAS_SHARD_COUNT": "2"}))
for i, (idx, cnt) in enumerate([(None, "4"), ("", "4"), ("-1", "4"), ("4", "4"), ("99999999999999999999", "4"), ("abc", "4"), (" 1", "4"), ("1\n", "4"),
                                 ("0", None), ("0", ""), ("0", "0"), ("0", "-2"), ("0", "x"), ("0", "99999999999"), ("\u001b[2J", "4"), ("0", "\u001b]0;x\u0007"), ("\u0661", "4")]):
    env = {"JOB_COMPLETION_INDEX": idx, "PORTATLAS_SHARD_COUNT": cnt}
    cases.append(Case("cli-shard", f"--shard-from-env index={idx!r} count={cnt!r}", [*SCAN, "--shard-from-env", "--db", p(f"env-{i}.db")], (2,), env=env))
for cnt in ["0", "-1", "abc", "99999999999", "", "\u001b[2J"]:
    cases.append(Case("cli-shard", f"--shard-count {cnt!r}", [*SCAN, "--shard-from-env", "--shard-count", cnt, "--db", p("env-c.db")], (2,), env={"JOB_COMPLETION_INDEX": "0"}))
cases.append(Case("cli-shard", "--shard-count without --shard-from-env", [*SCAN, "--shard", "0/2", "--shard-count", "2", "--db", p("env-d.db")], (2,)))
cases.append(Case("cli-shard", "shard of a different plan in one group", ["scan", "127.0.0.1", "-p", PORT, "-sT", "-n", "--seed", "8", "--shard", "1/4", "--group", "g1", "--db", p("shard-ok2.db")], (2,),
                  setup=lambda: subprocess.run(["dotnet", DLL, *SCAN, "--shard", "0/4", "--group", "g1", "--db", p("shard-ok2.db")], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
cases.append(Case("cli-shard", "shard count differs in one group", [*SCAN, "--shard", "1/3", "--group", "g2", "--db", p("shard-ok3.db")], (2,),
                  setup=lambda: subprocess.run(["dotnet", DLL, *SCAN, "--shard", "0/4", "--group", "g2", "--db", p("shard-ok3.db")], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
for i, g in enumerate(["", " ", "\u001b[2J", "a\nb", "a\tb", "x" * 10_000, "-x", ".x", "a/b", "a b", "é", "../../etc", "a;DROP TABLE scans", "x" * 63, "x" * 64, "1", "\u202eg"]):
    ok = g in ("x" * 63, "1")
    cases.append(Case("cli-group", f"--group {g[:20]!r} ({len(g)} chars)", [*SCAN, "--shard", "0/1", "--group", g, "--db", p(f"group-{i}.db")], (0,) if ok else (2,)))
cases.append(Case("cli-group", "--group without --shard", [*SCAN, "--group", "g", "--db", p("group-x.db")], (2,)))
for v in ["0", "65536", "1-", "-", ",,,", "U:", "T:", "S:", "-1", "1--2", "65535-65536", "1-0", "a", "http,nosuchservice", "1," * 60000, "U:,T:", "T:1,U:", "[1-2", "1-2]",
          "99999999999999999999", "1e3", "0x50", "\u0661", " ", "", "T:-", "22/tcp", "*"]:
    # Nmap's forms: -p0 scans port 0, "-" is 1-65535, "-1" is 1 to 1, "1-" is 1 to 65535.
    cases.append(Case("cli-ports", f"-p {v[:24]!r} ({len(v)} chars)", ["scan", "127.0.0.1", "-p", v, "-sT", "-n", "--no-save"], (2,) if v not in ("1-", "T:", "U:,T:", "0", "-", "-1", "T:-") else (0, 2), timeout=60))
for v in ["127.0.0.1/33", "::/129", "1.2.3.4/-1", "999.1.1.1", "a" * 10_000, "[::1]:80", "127.0.0.1:80", "1.2.3.4/", "/24", "1.2.3.4/ 24", "1.2.3.4/0x18",
          "1.2.3.4/24/24", "::ffff:1.2.3.4/200", "127.0.0.1-", "127.0.0.1-0", "127.0.0.255-1", "127.0.0.1,", ",", "-", "--", "127.0.0.1%eth0", "fe80::1%", "fe80::1%" + "x" * 5000,
          "1.2.3.4.5", "0", "4294967296", "0x7f.1", "127.1", "\u0661.1.1.1", "a..b", "." * 300, ("a" * 64 + ".") * 4 + "com", "\u001b[2J", "0.0.0.0/0", "::/0"]:
    cases.append(Case("cli-targets", f"target {v[:24]!r} ({len(v)} chars)", ["scan", v, "-p", PORT, "-sT", "-n", "--no-save"], (0, 1, 2), timeout=60,
                      check=lambda c, o, e, v=v: None if c == 2 or v in ("127.1", "0x7f.1", "127.0.0.1-", "127.0.0.1,") else ("not refused" if c == 0 else None)))
# --db paths and postgres URL garbage.
os.makedirs(p("adir"), exist_ok=True)
os.makedirs(p("rodir"), exist_ok=True)
write("text.db", "not sqlite\n")
for v, ex in [(p("adir"), (2,)), ("/dev/full", (1, 2)), ("/dev/null", (2,)), (p("text.db"), (1,)), (p("nodir/x.db"), (2,)), ("/proc/self/mem", (1, 2)),
              ("\u001b[2J.db", (0, 1, 2)), ("x" * 5000 + ".db", (1, 2)), ("postgres://", (2,)), ("postgres://:@/", (2,)), ("postgres://u:p@[::1/db", (2,)),
              ("postgres://u:p@h:99999/db", (2,)), ("postgres://u:p@h:-1/db", (2,)), ("postgres://u:p@h:abc/db", (2,)), ("postgres://h/db?sslmode=\u001b[2J", (2,)),
              ("postgres://h/db?connect_timeout=-1", (2,)), ("postgres://h/db?connect_timeout=99999999999", (2,)), ("postgres://h/%zz", (1, 2)),
              ("postgres://u%00:p@h/db", (1, 2)), ("postgresql://u:p@127.0.0.1:1/db?connect_timeout=1", (1,)), ("postgres://" + "a" * 10000, (1, 2)),
              ("Host=;Password=hunter2", (1, 2)), ("Host=127.0.0.1;Port=abc;Password=hunter2", (1, 2)), ("mysql://u:p@h/db", (1, 2)), ("file:x.db?mode=ro", (0, 1, 2))]:
    for cmd in (["history"], ["import", BASE]):
        exits = (1,) if cmd[0] == "history" and v == p("nodir/x.db") else ex
        cases.append(Case("cli-db", f"{cmd[0]} --db {v[:30]!r}", [*cmd, "--db", v], exits, timeout=60, check=no_text("hunter2")))
# A locked database: another process holds the write lock (sqlite3 BEGIN EXCLUSIVE for 40 s).
def lock(db, seconds=40):
    shutil.copy(p("base.db"), db)
    proc = subprocess.Popen(["sqlite3", db], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    proc.stdin.write("BEGIN EXCLUSIVE; INSERT INTO schema_version VALUES (77, 0);\n")
    proc.stdin.flush()
    time.sleep(0.5)
    threading.Timer(seconds, lambda: (proc.stdin.write("ROLLBACK;\n.quit\n"), proc.stdin.flush())).start()
cases.append(Case("faults", "import into an exclusively locked DB", ["import", BASE, "--db", p("locked1.db")], (1,), setup=lambda: lock(p("locked1.db"))))
cases.append(Case("faults", "history of an exclusively locked DB", ["history", "--db", p("locked2.db")], (0, 1), setup=lambda: lock(p("locked2.db"))))
cases.append(Case("faults", "show of an exclusively locked DB", ["show", "1", "--db", p("locked3.db")], (0, 1), setup=lambda: lock(p("locked3.db"))))
cases.append(Case("faults", "shard scan into a locked DB", [*SCAN, "--shard", "0/2", "--db", p("locked4.db")], (1,), setup=lambda: lock(p("locked4.db"))))
cases.append(Case("faults", "report -o /dev/full", ["report", "1", "-o", "/dev/full", "--output-format", "html", "--db", p("base.db")], (1,)))
full_out = Case("faults", "show > /dev/full", ["show", "1", "--db", p("base.db"), "-f", "json"], (1,))
full_out.stdout = "/dev/full"
cases.append(full_out)
full_out = Case("faults", "history -f csv > /dev/full", ["history", "--db", p("base.db"), "-f", "csv"], (1,))
full_out.stdout = "/dev/full"
cases.append(full_out)
cases.append(Case("faults", "scan -o /dev/full", [*SCAN, "--no-save", "-o", "/dev/full", "--output-format", "json"], (1, 2)))


def full_disk_case(name, argv, exits):
    """Runs argv in a private mount namespace whose /mnt is a 400 KB tmpfs."""
    c = Case("faults", name, argv, exits)
    c.full_disk = True
    return c


bigxml = write("big-import.xml", nmap_xml("".join(host_xml(f"198.18.{i >> 8}.{i & 255}", port_xml(22), extra=f'<hostnames><hostname name="h{i}.{"x" * 200}.test"/></hostnames>') for i in range(3000))))
cases.append(full_disk_case("import onto a full disk", ["import", bigxml, "--db", "/mnt/x.db"], (1,)))
cases.append(full_disk_case("report onto a full disk", ["report", bigxml, "-o", "/mnt/r.html"], (1,)))


def run_any(case):
    try:
        return run_one(case)
    except OSError as e:
        return case, "oserror", 0.0, -1, str(e), [f"not run: {e}"]


def run_one(case):
    if getattr(case, "full_disk", False):
        script = f"mount --make-rprivate / && mount -t tmpfs -o size=400k none /mnt && exec dotnet {DLL} " + " ".join(shlex_quote(a) for a in case.argv)
        start = time.monotonic()
        proc = subprocess.run(["unshare", "-m", "sh", "-c", script], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=case.timeout)
        err_t = proc.stderr.decode("utf-8", "replace")
        lines = [l for l in err_t.split("\n") if l.strip()]
        problems = []
        if proc.returncode not in case.exits:
            problems.append(f"exit {proc.returncode}")
        if len(lines) > 1 or "   at " in err_t or "Exception" in err_t:
            problems.append("stack trace / several lines")
        return case, proc.returncode, time.monotonic() - start, -1, (lines[0] if lines else ""), problems
    return run(case)


def shlex_quote(a):
    import shlex
    return shlex.quote(a)


# ---------------------------------------------------------------------------------------------------------------------
def signal_case(sig, shard):
    """A slow scan of the namespace's 127.0.0.1 saving to SQLite, stopped by a signal: the open port must be kept."""
    name = f"{signal.Signals(sig).name} during a {'shard ' if shard else ''}scan"
    db = p(f"sig-{sig}-{shard}.db")
    argv = ["dotnet", DLL, "scan", "127.0.0.1", "-p", "1-20040", "-sT", "-n", "--rate", "2000", "--db", db, "--seed", "3"] + (["--shard", "0/1"] if shard else [])
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(4)
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=60)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        code = "hang"
    err_t = err.decode("utf-8", "replace")
    problems = []
    if code not in (130, 143, -sig):
        problems.append(f"exit {code}")
    if "   at " in err_t or "Exception" in err_t:
        problems.append("stack trace")
    kept = ""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        found = [r[0] for r in con.execute("SELECT report_json FROM scans")] + [r[0] for r in con.execute("SELECT checkpoint_json FROM checkpoints")]
        stored_text = " ".join(x if isinstance(x, str) else x.decode() for x in found)
        printed = set(re.findall(r"(\d+)/tcp\s+open", out.decode("utf-8", "replace")))
        stored_ports = set(re.findall(r'"port":(\d+),"protocol":"tcp","state":"open"', stored_text))
        if not printed and not stored_ports:
            kept = "nothing found before the signal"
        else:
            kept = "yes" if printed <= stored_ports and stored_ports else f"printed {sorted(printed - stored_ports)[:5]} not stored (stored {len(stored_ports)})"
    except sqlite3.Error as e:
        kept = f"db error {e}"
    if kept != "yes":
        problems.append(f"open port kept: {kept}")
    c = Case("signals", name, argv, (130, 143))
    lines = [l for l in err_t.split("\n") if l.strip()]
    return c, code, time.monotonic() - start, -1, (lines[-1] if lines else ""), problems


def show_signal_case(sig):
    """`show` of a silent /8 stored as one run prints for about a minute: two signals must end it within seconds."""
    db, setup = stored("signal-run", raw_repeat("10.0.0.0", str((1 << 24) - 1)))
    setup()
    argv = ["dotnet", DLL, "show", "1", "--db", db]
    start = time.monotonic()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(argv, env=ENV, stdout=null, stderr=subprocess.PIPE)
        time.sleep(3)
        proc.send_signal(sig)
        time.sleep(0.5)
        proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = "hang"
    err_t = proc.stderr.read().decode("utf-8", "replace")
    problems = [] if code != "hang" else ["still printing 10 s after two signals"]
    if "   at " in err_t or "Exception" in err_t:
        problems.append("stack trace")
    lines = [l for l in err_t.split("\n") if l.strip()]
    return Case("signals", f"two {signal.Signals(sig).name}s during a long show", argv, ()), code, time.monotonic() - start, -1, (lines[-1] if lines else ""), problems


if ONLY:
    cases = [c for c in cases if c.cls in ONLY]
results = []
with ThreadPoolExecutor(max_workers=2) as pool:
    for r in pool.map(run_any, cases):
        results.append(r)
        case, code, seconds, mb, first, problems = r
        print(f"{case.cls}\t{case.name[:70]!r}\t{'FAIL: ' + '; '.join(problems) if problems else 'ok'}\t{code}\t{seconds:.1f}\t{mb}\t{first[:150]}", flush=True)
if not ONLY or "signals" in ONLY:
    for sig in (signal.SIGINT, signal.SIGTERM):
        for shard in (False, True):
            r = signal_case(sig, shard)
            results.append(r)
            case, code, seconds, mb, first, problems = r
            print(f"{case.cls}\t{case.name!r}\t{'FAIL: ' + '; '.join(problems) if problems else 'ok'}\t{code}\t{seconds:.1f}\t{mb}\t{first[:150]}", flush=True)
        r = show_signal_case(sig)
        results.append(r)
        case, code, seconds, mb, first, problems = r
        print(f"{case.cls}\t{case.name!r}\t{'FAIL: ' + '; '.join(problems) if problems else 'ok'}\t{code}\t{seconds:.1f}\t{mb}\t{first[:150]}", flush=True)
print("\nclass\tcases\tfailed")
for cls in dict.fromkeys(r[0].cls for r in results):
    rs = [r for r in results if r[0].cls == cls]
    print(f"{cls}\t{len(rs)}\t{sum(1 for r in rs if r[5])}")
print(f"total\t{len(results)}\t{sum(1 for r in results if r[5])}")
listener.close()
shutil.rmtree(W, ignore_errors=True)
