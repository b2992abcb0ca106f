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
  dns-any       a DNS query (version.bind CHAOS TXT) gets any DNS answer
  socks5        a SOCKS5 greeting offering "no authentication" gets 05 00
  udp:NAME      the named request (UDP_REQUESTS below, each written from
                its protocol's document) gets any datagram back

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


def der(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    elif n < 0x100:
        head = bytes([0x81, n])
    else:
        head = bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + head + body


def krb_as_req():
    """RFC 4120 section 5.4.1 AS-REQ for krbtgt/LAB.PORTATLAS.TEST, client lab."""
    realm = der(0x1B, b"LAB.PORTATLAS.TEST")
    def ctx(n, body):
        return der(0xA0 + n, body)
    def integer(v):
        return der(0x02, bytes([v]))
    def principal(ntype, *names):
        return der(0x30, ctx(0, integer(ntype)) + ctx(1, der(0x30, b"".join(der(0x1B, x) for x in names))))
    body = der(0x30,
               ctx(0, der(0x03, b"\x00\x00\x00\x00\x00")) +
               ctx(1, principal(1, b"lab")) +
               ctx(2, realm) +
               ctx(3, principal(2, b"krbtgt", b"LAB.PORTATLAS.TEST")) +
               ctx(5, der(0x18, b"20370913024805Z")) +
               ctx(7, der(0x02, b"PA")) +
               ctx(8, der(0x30, integer(18) + integer(17))))
    return der(0x6A, der(0x30, ctx(1, integer(5)) + ctx(2, integer(10)) + ctx(4, body)))


def sip_options(addr):
    return ("OPTIONS sip:lab@%s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 198.18.3.1:5060;rport;branch=z9hG4bK-pa1\r\n"
            "Max-Forwards: 70\r\nTo: <sip:lab@%s>\r\nFrom: <sip:pa@198.18.3.1>;tag=pa1\r\n"
            "Call-ID: pa1@198.18.3.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % (addr, addr)).encode()


def dns_version_bind():
    return (struct.pack(">HHHHHH", 0x5041, 0x0100, 1, 0, 0, 0) +
            b"\x07version\x04bind\x00" + struct.pack(">HH", 16, 3))


UDP_REQUESTS = {
    # RFC 4120 AS-REQ; the KDC answers KRB-ERROR (preauth required / unknown client).
    "krb": lambda a: krb_as_req(),
    # RFC 1002 section 4.2.17 NODE STATUS REQUEST for "*".
    "nbstat": lambda a: struct.pack(">HHHHHH", 0x5041, 0, 1, 0, 0, 0) +
        b"\x20CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\x00" + struct.pack(">HH", 0x21, 1),
    # RFC 5531 CALL to program 100000 (portmapper) version 2 procedure 0 (NULL), AUTH_NONE.
    "rpc": lambda a: struct.pack(">IIIIIIIIII", 0x5041, 0, 2, 100000, 2, 0, 0, 0, 0, 0),
    # RFC 1350 RRQ for README, octet mode.
    "tftp": lambda a: b"\x00\x01README\x00octet\x00",
    # OpenVPN P_CONTROL_HARD_RESET_CLIENT_V2 (opcode 7 << 3), session id, no acks, packet id 0.
    "openvpn": lambda a: b"\x38" + b"PAPAPAPA" + b"\x00" + b"\x00\x00\x00\x00",
    # RFC 5389 Binding Request with a fixed transaction id.
    "stun": lambda a: struct.pack(">HHI", 1, 0, 0x2112A442) + b"PortAtlasLab",
    "sip": sip_options,
    # Mumble UDP ping: 4 bytes 0 then an 8-byte identifier, answered with version and user counts.
    "mumble": lambda a: b"\x00\x00\x00\x00PAPAPAPA",
    "echo": lambda a: b"PortAtlas",
    "daytime": lambda a: b"\n",
    # RFC 6762 section 6.7 legacy unicast query: PTR _services._dns-sd._udp.local.
    "mdns": lambda a: struct.pack(">HHHHHH", 0x5041, 0, 1, 0, 0, 0) +
        b"\x09_services\x07_dns-sd\x04_udp\x05local\x00" + struct.pack(">HH", 12, 1),
}


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
    elif kind == "socks5":
        dialog = dict(send=b"\x05\x01\x00", expect=b"\x05\x00")
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
    if kind == "dns-any":
        return udp_query(addr, port, dns_version_bind(),
                         lambda d: len(d) >= 12 and d[:2] == b"\x50\x41" and d[2] & 0x80), "dns version.bind"
    if kind.startswith("udp:") and kind[4:] in UDP_REQUESTS:
        return udp_query(addr, port, UDP_REQUESTS[kind[4:]](addr), lambda d: len(d) > 0, tries=3), kind
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
