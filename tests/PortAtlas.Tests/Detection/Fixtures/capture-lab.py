#!/usr/bin/env python3
"""Captures real responses from the lab's daemons (198.18.0.2 only) as test fixtures.

Each fixture is the raw bytes a daemon sent, named <port>-<probe>.bin. Run from this directory
with the lab up: python3 capture-lab.py. Connects only to 198.18.0.2 (the lab namespace).
"""
import socket, ssl, struct, time, sys
from capture_common import read_for, save

HOST = "198.18.0.2"

def session(port, probes, tls=False, banner_wait=1.5):
    s = socket.create_connection((HOST, port), timeout=3)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    out = []
    banner = read_for(s, banner_wait)
    out.append(banner)
    for p in probes:
        s.sendall(p)
        out.append(read_for(s, 1.5))
    s.close()
    return out

def dns_version_bind():
    q = struct.pack(">HHHHHH", 0x5041, 0x0100, 1, 0, 0, 0)
    q += b"\x07version\x04bind\x00" + struct.pack(">HH", 16, 3)
    return struct.pack(">H", len(q)) + q

def pg_ssl_request():
    return struct.pack(">II", 8, 80877103)

def pg_startup():
    body = struct.pack(">I", 196608) + b"user\x00portatlas\x00database\x00portatlas\x00\x00"
    return struct.pack(">I", len(body) + 4) + body

HTTP_GET = b"GET / HTTP/1.0\r\nHost: 198.18.0.2\r\nUser-Agent: PortAtlas\r\nAccept: */*\r\n\r\n"

def main():
    b = session(21, [b"FEAT\r\n"]); save("21-banner", b[0]); save("21-feat", b[1])
    for p in (22, 2222):
        save(f"{p}-banner", session(p, [])[0])
    save("23-banner", session(23, [], banner_wait=2.5)[0])
    b = session(25, [b"EHLO portatlas.test\r\n"]); save("25-banner", b[0]); save("25-ehlo", b[1])
    save("53-version-bind", session(53, [dns_version_bind()], banner_wait=0.3)[1])
    for p in (80, 8080):
        save(f"{p}-http-get", session(p, [HTTP_GET], banner_wait=0.3)[1])
    b = session(110, [b"CAPA\r\n"]); save("110-banner", b[0]); save("110-capa", b[1])
    b = session(143, [b"A1 CAPABILITY\r\n"]); save("143-banner", b[0]); save("143-capability", b[1])
    save("443-https-get", session(443, [HTTP_GET], tls=True, banner_wait=0.3)[1])
    b = session(993, [b"A1 CAPABILITY\r\n"], tls=True); save("993-tls-banner", b[0])
    b = session(995, [b"CAPA\r\n"], tls=True); save("995-tls-banner", b[0])
    save("3306-banner", session(3306, [])[0])
    b = session(5432, [pg_ssl_request()], banner_wait=0.3); save("5432-sslrequest", b[1])
    b = session(5432, [pg_startup()], banner_wait=0.3); save("5432-startup", b[1])
    b = session(6379, [b"PING\r\n", b"INFO server\r\n"], banner_wait=0.3)
    save("6379-ping", b[1]); save("6379-info", b[2])
    b = session(11211, [b"version\r\n"], banner_wait=0.3); save("11211-version", b[1])

if __name__ == "__main__" and len(sys.argv) == 1:
    main()

def telnet_refuse(data):
    """Answers every option negotiation (RFC 854/855) with a refusal: DO->WONT, WILL->DONT."""
    out = b""
    i = 0
    while i + 2 < len(data) + 0 and i < len(data):
        if data[i] == 0xFF and i + 2 < len(data) + 1 and i + 2 <= len(data) - 1:
            cmd, opt = data[i + 1], data[i + 2]
            if cmd == 0xFD: out += bytes([0xFF, 0xFC, opt])
            elif cmd == 0xFB: out += bytes([0xFF, 0xFE, opt])
            i += 3
        else:
            i += 1
    return out

def extra():
    s = socket.create_connection((HOST, 23), timeout=3)
    data = read_for(s, 1.5)
    allb = data
    for _ in range(3):
        reply = telnet_refuse(data)
        if reply:
            s.sendall(reply)
        data = read_for(s, 1.5)
        allb += data
        if not data:
            break
    s.close()
    save("23-negotiated", allb)
    body = struct.pack(">I", 0x00010000) + b"user\x00portatlas\x00\x00"
    b = session(5432, [struct.pack(">I", len(body) + 4) + body], banner_wait=0.3); save("5432-badversion", b[1])
    # Protocol 4.0, as the detector sends it: refused with a protocol-3 ErrorResponse.
    body = struct.pack(">I", 0x00040000) + b"user\x00portatlas\x00\x00"
    b = session(5432, [struct.pack(">I", len(body) + 4) + body], banner_wait=0.3); save("5432-startup-v4", b[1])

if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "extra":
    extra()
