#!/usr/bin/env python3
"""Tools of the scan-pipeline tests, run inside a test's own network namespace (ip netns exec).

  pipeline_tools.py capture tcp-syn|udp   record the kernel time of every packet sent through lo to 127.0.0.1
                                          (TCP: SYN without ACK; UDP: every datagram); prints "ready", and when
                                          stdin closes prints one line per packet: nanoseconds since the epoch
  pipeline_tools.py banner TEXT PORT...   TCP on 127.0.0.1: send TEXT (with CRLF) to every connection, then close

Every mode exits by itself after --lifetime seconds (default 120): nothing outlives a test.
"""
import os, select, socket, struct, sys, time

LIFETIME = 120.0
if "--lifetime" in sys.argv:
    i = sys.argv.index("--lifetime")
    LIFETIME = float(sys.argv[i + 1])
    del sys.argv[i:i + 2]
DEADLINE = time.monotonic() + LIFETIME

SO_TIMESTAMPNS = 35
PACKET_HOST = 0
PACKET_OUTGOING = 4
ETH_P_IP = 0x0800
LOOPBACK = socket.inet_aton("127.0.0.1")


def capture(kind):
    # SOCK_DGRAM packet socket: the data starts at the IP header; the address tells outgoing from incoming copies.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind(("lo", 0))
    stamps = []
    print("ready", flush=True)
    stdin = sys.stdin.fileno()
    while time.monotonic() < DEADLINE:
        ready, _, _ = select.select([s, stdin], [], [], 0.2)
        if stdin in ready and not os.read(stdin, 4096):
            break
        if s not in ready:
            continue
        while True:
            try:
                data, ancillary, _, address = s.recvmsg(128, 64, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            # Loopback hands each packet to packet sockets once, as PACKET_HOST (its receive side, at the moment of
            # sending); other devices show our sends as PACKET_OUTGOING.
            if address[2] not in (PACKET_HOST, PACKET_OUTGOING) or len(data) < 20 or data[16:20] != LOOPBACK:
                continue
            ihl = (data[0] & 0x0F) * 4
            if kind == "tcp-syn":
                if data[9] != 6 or len(data) < ihl + 14 or data[ihl + 13] & 0x16 != 0x02:
                    continue
            elif data[9] != 17:
                continue
            for level, type_, value in ancillary:
                if level == socket.SOL_SOCKET and type_ == SO_TIMESTAMPNS:
                    seconds, nanoseconds = struct.unpack("qq", value[:16])
                    stamps.append(seconds * 1_000_000_000 + nanoseconds)
    sys.stdout.write("".join(f"{t}\n" for t in stamps))
    sys.stdout.flush()


def banner(text, ports):
    reply = (text + "\r\n").encode()
    sockets = []
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(128)
        s.setblocking(False)
        sockets.append(s)
    print("ready", flush=True)
    stdin = sys.stdin.fileno()
    while time.monotonic() < DEADLINE:
        ready, _, _ = select.select(sockets + [stdin], [], [], 0.5)
        if stdin in ready and not os.read(stdin, 4096):
            break
        for s in ready:
            if s == stdin:
                continue
            try:
                connection, _ = s.accept()
            except OSError:
                continue
            try:
                connection.setblocking(True)
                connection.settimeout(1.0)
                connection.sendall(reply)
                connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            finally:
                connection.close()


mode = sys.argv[1]
if mode == "capture":
    capture(sys.argv[2])
elif mode == "banner":
    banner(sys.argv[2], [int(p) for p in sys.argv[3:]])
else:
    sys.exit("unknown mode " + mode)
