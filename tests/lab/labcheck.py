#!/usr/bin/env python3
"""Verify what the lab actually serves, and write the manifest from it.

usage: labcheck.py EXPECTED_TSV MANIFEST_TSV HEADER_COMMENT_FILE

EXPECTED_TSV (written by up.sh) has the columns
  daemon address protocol port state service product version notes check
where `check` says how the row is verified, from the ROOT namespace:
  tcp-open      TCP connect succeeds (retried)
  banner:TEXT   TCP connect, and the server's greeting starts with TEXT
                (banner:ANY: any greeting bytes, e.g. telnet option IAC)
  tls-banner:T  TLS handshake (no certificate verification), then greeting T
  http          "HEAD / HTTP/1.0" gets an "HTTP/" status line
  https         the same over TLS
  redis         "PING" gets "+PONG"
  memcache-tcp  "version" gets "VERSION"
  pg            a PostgreSQL SSLRequest gets 'S' or 'N'
  fw-drop       TCP connect times out (SYN silently dropped)
  fw-rst        TCP connect is refused (RST)
  fw-icmp       TCP connect fails with an ICMP-induced error
                (ECONNREFUSED for port-unreachable, EHOSTUNREACH for
                admin-prohibited)
  dns           a real DNS A query for lab.portatlas.test gets an answer
  ntp           a real NTP client packet gets a server (mode 4) reply
  snmp          a real SNMPv2c GET sysDescr.0 (community public) gets a reply
  memcache-udp  a real memcached UDP "version" request gets a VERSION reply

Rows that pass go into MANIFEST_TSV (the header comment lines, then the
header row, then rows). Daemons with a failing row are printed on stdout as
"FAILED daemon address/protocol/port reason"; the exit status is 1 then.
Every probe is bounded: few tries, short timeouts, only to the lab's
addresses (198.18.0.0/15), which this script refuses to leave.
"""
import errno
import ipaddress
import os
import socket
import ssl
import struct
import sys
from concurrent.futures import ThreadPoolExecutor

LAB_NET = ipaddress.ip_network("198.18.0.0/15")
COLUMNS = ["address", "protocol", "port", "state", "service", "product",
           "version", "notes"]


def guard(addr):
    if ipaddress.ip_address(addr) not in LAB_NET:
        raise SystemExit(f"labcheck: refusing to probe {addr}: outside 198.18.0.0/15")


def tcp_connect(addr, port, timeout):
    """Return 'open', 'refused', 'timeout', 'unreach' or 'error:<x>'."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((addr, port))
        return "open"
    except socket.timeout:
        return "timeout"
    except OSError as e:
        if e.errno == errno.ECONNREFUSED:
            return "refused"
        if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES):
            return "unreach"
        return f"error:{errno.errorcode.get(e.errno, e.errno)}"
    finally:
        s.close()


def tcp_dialog(addr, port, send=None, expect=b"", use_tls=False, timeout=5.0):
    """Connect, optionally wrap in TLS, optionally send, read until the
    reply is at least as long as `expect` (or any byte if expect is empty).
    Returns (ok, detail)."""
    try:
        s = socket.create_connection((addr, port), timeout=timeout)
    except OSError as e:
        return False, f"connect: {e}"
    try:
        s.settimeout(timeout)
        if use_tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(s, server_hostname="lab.portatlas.test")
        if send:
            s.sendall(send)
        data = b""
        while len(data) < max(len(expect), 1):
            chunk = s.recv(512)
            if not chunk:
                break
            data += chunk
        if data.startswith(expect) and data:
            return True, "ok"
        return False, f"got {data[:40]!r}, expected {expect!r}"
    except (OSError, ssl.SSLError) as e:
        return False, f"{type(e).__name__}: {e}"
    finally:
        s.close()


def udp_query(addr, port, payload, accept, tries=5, timeout=1.0):
    for _ in range(tries):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        try:
            s.sendto(payload, (addr, port))
            data, _ = s.recvfrom(4096)
            if accept(data):
                return True
        except OSError:
            pass
        finally:
            s.close()
    return False


def dns_payload():
    qname = b"".join(bytes([len(p)]) + p.encode() for p in "lab.portatlas.test".split(".")) + b"\0"
    return struct.pack(">HHHHHH", 0x5041, 0x0100, 1, 0, 0, 0) + qname + struct.pack(">HH", 1, 1)


def dns_ok(data):
    if len(data) < 12:
        return False
    qid, flags, qd, an, _, _ = struct.unpack(">HHHHHH", data[:12])
    return qid == 0x5041 and flags & 0x8000 and (flags & 0xF) == 0 and an >= 1


NTP_REQ = bytes([0x23]) + bytes(47)  # LI=0, VN=4, mode=3 (client)


def ntp_ok(data):
    return len(data) >= 48 and (data[0] & 0x7) == 4


# SNMPv2c GetRequest sysDescr.0, community "public", request-id 1.
SNMP_REQ = bytes.fromhex(
    "3026" "020101" "0406" + b"public".hex() +
    "a019" "020101" "020100" "020100"
    "300e" "300c" "06082b06010201010100" "0500")


def snmp_ok(data):
    return len(data) > 2 and data[0] == 0x30 and b"\xa2" in data[:40]


MEMCACHE_REQ = struct.pack(">HHHH", 0x5041, 0, 1, 0) + b"version\r\n"


def memcache_ok(data):
    return len(data) > 8 and data[8:].startswith(b"VERSION")


def check(row):
    addr, port, kind = row["address"], int(row["port"]), row["check"]
    guard(addr)
    if kind == "tcp-open":
        last = None
        for _ in range(3):
            last = tcp_connect(addr, port, 4.0)
            if last == "open":
                return True, "open"
        return False, f"connect: {last}"
    dialog = None
    if kind.startswith("banner:"):
        t = kind[len("banner:"):]
        dialog = dict(expect=b"" if t == "ANY" else t.encode())
    elif kind.startswith("tls-banner:"):
        dialog = dict(expect=kind[len("tls-banner:"):].encode(), use_tls=True)
    elif kind in ("http", "https"):
        dialog = dict(send=b"HEAD / HTTP/1.0\r\nHost: lab.portatlas.test\r\n\r\n",
                      expect=b"HTTP/", use_tls=kind == "https")
    elif kind == "redis":
        dialog = dict(send=b"PING\r\n", expect=b"+PONG")
    elif kind == "memcache-tcp":
        dialog = dict(send=b"version\r\n", expect=b"VERSION")
    elif kind == "pg":
        dialog = dict(send=struct.pack(">II", 8, 80877103), expect=b"")
    if dialog is not None:
        why = ""
        for _ in range(3):
            ok, why = tcp_dialog(addr, port, **dialog)
            if ok:
                return True, why
        return False, why
    if kind == "fw-drop":
        r = tcp_connect(addr, port, 2.5)
        return r == "timeout", f"connect: {r} (expected timeout)"
    if kind == "fw-rst":
        for _ in range(3):
            r = tcp_connect(addr, port, 4.0)
            if r == "refused":
                return True, r
        return False, f"connect: {r} (expected refused)"
    if kind == "fw-icmp":
        for _ in range(3):
            r = tcp_connect(addr, port, 4.0)
            if r in ("refused", "unreach"):
                return True, r
        return False, f"connect: {r} (expected ICMP error)"
    if kind == "dns":
        return udp_query(addr, port, dns_payload(), dns_ok), "dns query"
    if kind == "ntp":
        return udp_query(addr, port, NTP_REQ, ntp_ok), "ntp query"
    if kind == "snmp":
        return udp_query(addr, port, SNMP_REQ, snmp_ok), "snmp get"
    if kind == "memcache-udp":
        return udp_query(addr, port, MEMCACHE_REQ, memcache_ok), "memcache udp version"
    return False, f"unknown check {kind}"


def sort_key(row):
    return (tuple(int(x) for x in row["address"].split(".")),
            row["protocol"], int(row["port"]))


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    expected_path, manifest_path, header_path = sys.argv[1:]
    rows = []
    with open(expected_path) as f:
        names = f.readline().rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                rows.append(dict(zip(names, line.rstrip("\n").split("\t"))))

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(check, rows))

    good, failed = [], []
    for row, (ok, why) in zip(rows, results):
        (good if ok else failed).append((row, why))

    # A daemon with any failing row is left out of the manifest entirely.
    failed_daemons = {r["daemon"] for r, _ in failed}
    good = [(r, w) for r, w in good if r["daemon"] not in failed_daemons]

    tmp = manifest_path + ".tmp"
    with open(tmp, "w") as out:
        with open(header_path) as h:
            out.write(h.read())
        out.write("\t".join(COLUMNS) + "\n")
        for row, _ in sorted(good, key=lambda rw: sort_key(rw[0])):
            out.write("\t".join(row[c] for c in COLUMNS) + "\n")
    os.replace(tmp, manifest_path)

    for row, why in failed:
        print(f"FAILED {row['daemon']} {row['address']}/{row['protocol']}/{row['port']} {why}")
    print(f"labcheck: {len(good)} manifest rows, {len(failed)} failed checks",
          file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
