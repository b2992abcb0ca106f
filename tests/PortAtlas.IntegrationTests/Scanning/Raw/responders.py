#!/usr/bin/env python3
"""Test responders for the raw scanner, run inside a test's own network namespace (ip netns exec).

  responders.py tcp PORT...            listen on 127.0.0.1 and ::1 (TCP)
  responders.py udp PORT...            answer every datagram on 127.0.0.1 and ::1 (UDP echo)
  responders.py tcp-any|udp-any PORT... the same on 0.0.0.0 (for a veth link between two test namespaces)
  responders.py sctp OPEN ABORT        raw-socket SCTP (the kernel has no SCTP module): INIT -> INIT ACK on the
                                       comma-separated OPEN ports, ABORT on the ABORT ports, silence elsewhere
  responders.py synack ADDRESS         raw-socket TCP: answer every SYN to ADDRESS (IPv4) with a SYN-ACK, as a
                                       SYN proxy without a backend does

Every mode exits by itself after --lifetime seconds (default 120): nothing outlives a test.
"""
import os, select, socket, struct, sys, time

LIFETIME = 120.0
if "--lifetime" in sys.argv:
    i = sys.argv.index("--lifetime")
    LIFETIME = float(sys.argv[i + 1])
    del sys.argv[i:i + 2]
DEADLINE = time.monotonic() + LIFETIME


def crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def sctp_packet(sport, dport, vtag, chunk):
    header = struct.pack("!HHII", sport, dport, vtag, 0)
    packet = header + chunk
    crc = crc32c(packet)
    # RFC 9260 appendix A: the CRC goes on the wire least significant byte first.
    return packet[:8] + struct.pack("<I", crc) + packet[12:]


def serve_sctp(open_ports, abort_ports):
    s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, 132)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 132)
    print("ready", flush=True)
    while time.monotonic() < DEADLINE:
        readable, _, _ = select.select([s4, s6], [], [], 0.5)
        for s in readable:
            data, addr = s.recvfrom(65535)
            if s is s4:
                data = data[(data[0] & 0x0F) * 4:]
            if len(data) < 32 or data[12] != 1:
                continue
            sport, dport = struct.unpack("!HH", data[:4])
            initiate_tag = struct.unpack("!I", data[16:20])[0]
            if dport in open_ports:
                cookie = struct.pack("!HH", 7, 12) + b"PAcookie"
                body = struct.pack("!IIHHI", 0x5041AAAA, 65535, 10, 10, 1) + cookie
                chunk = struct.pack("!BBH", 2, 0, 4 + len(body)) + body
            elif dport in abort_ports:
                chunk = struct.pack("!BBH", 6, 0, 4)
            else:
                continue
            s.sendto(sctp_packet(dport, sport, initiate_tag, chunk), (addr[0], 0))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def serve_synack(address):
    target = socket.inet_aton(address)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    # Bound: the kernel sends from ADDRESS (not the route's preferred source) and delivers only packets to ADDRESS.
    s.bind((address, 0))
    print("ready", flush=True)
    while time.monotonic() < DEADLINE:
        readable, _, _ = select.select([s], [], [], 0.5)
        if not readable:
            continue
        data, _ = s.recvfrom(65535)
        ihl = (data[0] & 0x0F) * 4
        if data[16:20] != target or len(data) < ihl + 20:
            continue
        tcp = data[ihl:]
        flags = tcp[13]
        if flags & 0x3F != 0x02:
            continue
        sport, dport, seq = struct.unpack("!HHI", tcp[:8])
        segment = struct.pack("!HHIIBBHHH", dport, sport, 0x50410000, (seq + 1) & 0xFFFFFFFF, 5 << 4, 0x12, 65535, 0, 0)
        pseudo = data[16:20] + data[12:16] + struct.pack("!BBH", 0, 6, len(segment))
        segment = segment[:16] + struct.pack("!H", checksum(pseudo + segment)) + segment[18:]
        s.sendto(segment, (socket.inet_ntoa(data[12:16]), 0))


def serve_tcp(ports, addresses=((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"))):
    sockets = []
    for port in ports:
        for family, address in addresses:
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((address, port))
            s.listen(128)
            s.setblocking(False)
            sockets.append(s)
    print("ready", flush=True)
    while time.monotonic() < DEADLINE:
        readable, _, _ = select.select(sockets, [], [], 0.5)
        for s in readable:
            try:
                c, _ = s.accept()
                c.close()
            except OSError:
                pass


def serve_udp(ports, addresses=((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"))):
    sockets = []
    for port in ports:
        for family, address in addresses:
            s = socket.socket(family, socket.SOCK_DGRAM)
            s.bind((address, port))
            sockets.append(s)
    print("ready", flush=True)
    while time.monotonic() < DEADLINE:
        readable, _, _ = select.select(sockets, [], [], 0.5)
        for s in readable:
            data, addr = s.recvfrom(65535)
            s.sendto(b"pong:" + data[:32], addr)


def ports(text):
    return {int(p) for p in text.split(",") if p}


mode = sys.argv[1]
if mode == "tcp":
    serve_tcp([int(p) for p in sys.argv[2:]])
elif mode == "tcp-any":
    serve_tcp([int(p) for p in sys.argv[2:]], ((socket.AF_INET, "0.0.0.0"),))
elif mode == "udp-any":
    serve_udp([int(p) for p in sys.argv[2:]], ((socket.AF_INET, "0.0.0.0"),))
elif mode == "udp":
    serve_udp([int(p) for p in sys.argv[2:]])
elif mode == "sctp":
    serve_sctp(ports(sys.argv[2]), ports(sys.argv[3]))
elif mode == "synack":
    serve_synack(sys.argv[2])
else:
    sys.exit("unknown mode " + mode)
