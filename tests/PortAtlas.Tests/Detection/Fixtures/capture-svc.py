#!/usr/bin/env python3
"""Captures real answers from the NON-held-out daemons of the lab's pa-svc / pa-svc2 hosts (issue 11) as fixtures.

Each fixture is the raw bytes a daemon sent, named svc-<port>-<probe>.bin (svc2-... for 198.18.4.2). The probes
are the detector's own (src/PortAtlas/Detection/ServiceProbes.cs): the banner wait, then the probe bytes.
Held-out daemons (the manifest's "heldout" notes, tests/lab/README.md) are never captured: the script reads the
manifest and refuses them. Run from this directory with the lab up: python3 capture-svc.py [MANIFEST].
Connects only to 198.18.3.2 and 198.18.4.2 (the lab's namespaces).
"""
import ipaddress
import os
import socket
import struct
import sys
import time
from capture_common import read_for, save

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../lab/manifest.tsv")
LAB = ipaddress.ip_network("198.18.0.0/15")


def heldout():
    out = set()
    for line in open(MANIFEST):
        if line.startswith("#") or line.startswith("address\t"):
            continue
        c = line.rstrip("\n").split("\t")
        if len(c) >= 8 and "heldout" in c[7]:
            out.add((c[0], c[1], int(c[2])))
    return out


HELD = None


def tcp(host, port, probe=None, banner_wait=1.0, answer_wait=1.5):
    assert ipaddress.ip_address(host) in LAB
    if (host, "tcp", port) in HELD:
        raise SystemExit(f"refusing to capture held-out {host}:{port}/tcp")
    s = socket.create_connection((host, port), timeout=3)
    banner = read_for(s, banner_wait)
    answer = b""
    if probe is not None:
        try:
            s.sendall(probe)
            answer = read_for(s, answer_wait)
        except OSError:
            pass
    s.close()
    return banner, answer


def http_get(host, port):
    h = host if port in (80, 443) else f"{host}:{port}"
    return f"GET / HTTP/1.0\r\nHost: {h}\r\nUser-Agent: PortAtlas\r\nAccept: */*\r\nConnection: close\r\n\r\n".encode()


def dns_version_bind():
    q = struct.pack(">HHHHHH", 0x5041, 0x0100, 1, 0, 0, 0) + b"\x07version\x04bind\x00" + struct.pack(">HH", 16, 3)
    return struct.pack(">H", len(q)) + q


def ldap_rootdse():
    search = bytes([0x04, 0x00, 0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
                    0x01, 0x01, 0x00, 0x87, 0x0b]) + b"objectClass" + bytes([0x30, 0x00])
    body = bytes([0x02, 0x01, 0x01, 0x63, len(search)]) + search
    return bytes([0x30, len(body)]) + body


def smb_negotiate():
    dialects = b"".join(b"\x02" + d + b"\x00" for d in (b"NT LM 0.12", b"SMB 2.002", b"SMB 2.???"))
    smb = bytearray(32 + 3) + dialects
    smb[0:4] = b"\xffSMB"
    smb[4] = 0x72
    smb[9] = 0x18
    smb[10:12] = struct.pack("<H", 0xC801)
    smb[30:32] = struct.pack("<H", 1)
    smb[33:35] = struct.pack("<H", len(dialects))
    return struct.pack(">I", len(smb)) + bytes(smb)


def mqtt_connect():
    variable = b"\x00\x04MQTT\x04\x02\x00\x3c"
    payload = b"\x00\x09portatlas"
    return bytes([0x10, len(variable) + len(payload)]) + variable + payload


REDIS = b"PING\r\nINFO server\r\n"


def main():
    global HELD
    HELD = heldout()
    H, H2 = "198.18.3.2", "198.18.4.2"
    # Web servers, caches, forward proxies, HTTP APIs: the http-get probe.
    for port in (80, 6081, 3128, 8118, 631, 8222, 9100, 8086):
        save(f"svc-{port}-http-get", tcp(H, port, http_get(H, port), banner_wait=0.3)[1])
    # DNS over TCP: version.bind.
    for port in (53, 8053, 5301):
        save(f"svc-{port}-dns-version-bind", tcp(H, port, dns_version_bind(), banner_wait=0.3)[1])
    save("svc2-53-dns-version-bind", tcp(H2, 53, dns_version_bind(), banner_wait=0.3)[1])
    save("svc-389-ldap-rootdse", tcp(H, 389, ldap_rootdse(), banner_wait=0.3)[1])
    save("svc-445-smb-negotiate", tcp(H, 445, smb_negotiate(), banner_wait=0.3)[1])
    save("svc-1883-mqtt", tcp(H, 1883, mqtt_connect(), banner_wait=0.3)[1])
    save("svc-26379-redis", tcp(H, 26379, REDIS, banner_wait=0.3)[1])
    # Services that speak first, or that answer an HTTP request in their own protocol.
    save("svc-4222-banner", tcp(H, 4222, None, banner_wait=1.5)[0])
    for port in (6667, 5222, 5269, 1080, 10050, 4730, 9418, 5060, 111):
        b, a = tcp(H, port, http_get(H, port), banner_wait=1.0)
        if b:
            save(f"svc-{port}-banner", b)
        save(f"svc-{port}-http-get", a)
    for port in (13, 37):
        save(f"svc-{port}-banner", tcp(H, port, None, banner_wait=1.0)[0])


if __name__ == "__main__":
    main()
