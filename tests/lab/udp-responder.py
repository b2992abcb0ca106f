#!/usr/bin/env python3
"""UDP services of the ICMP-rate-limit lab (tests/lab/udp.sh, issue 16).

    udp-responder.py ADDRESS --echo 53,123 --silent 1900

Echo ports answer every datagram with a short reply (a UDP scan calls them open);
silent ports are bound but never answer (no port-unreachable either: open|filtered).
Every other UDP port of the host is closed and answers with ICMP port-unreachable,
rate limited by the kernel (net.ipv4.icmp_ratelimit, default one per second per peer
after a burst of six).
"""
import argparse
import selectors
import socket


def ports(text):
    return [int(p) for p in text.split(",") if p]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("--echo", type=ports, default=[])
    parser.add_argument("--silent", type=ports, default=[])
    args = parser.parse_args()
    sel = selectors.DefaultSelector()
    for port in args.echo + args.silent:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((args.address, port))
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ, port in args.echo)
    while True:
        for key, _ in sel.select():
            sock = key.fileobj
            try:
                data, peer = sock.recvfrom(2048)
            except BlockingIOError:
                continue
            if key.data:
                # A reply that names the port: any UDP payload back makes the port open.
                sock.sendto(b"portatlas-udp-lab " + str(sock.getsockname()[1]).encode() + b"\n", peer)


if __name__ == "__main__":
    main()
