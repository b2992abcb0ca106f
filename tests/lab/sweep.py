#!/usr/bin/env python3
"""Sweep-range listeners for the PortAtlas test lab.

One asyncio process, run inside the `pa-sweep` namespace, binds every TCP
listener of the 198.18.1.0/24 sweep range. Which hosts listen, and on which
ports, is a pure function of the address (see plan()), so the manifest writer
and the tests can compute it too:

  - hosts whose last octet is 3 mod 10 (198.18.1.3, .13, ..., .253: 26 hosts)
  - ports by (octet // 10) mod 4:
        0 -> 22
        1 -> 80, 443
        2 -> 22, 80, 8080
        3 -> 443, 8080

Behaviour per port: 22 sends an SSH identification line; 80/8080 answer any
request with a tiny HTTP/1.0 response; 443 accepts and closes after reading
(no TLS). Connections are closed after at most 5 s.

usage: sweep.py --plan        print "address<TAB>port" lines
       sweep.py --serve       bind and serve (foreground)
"""
import asyncio
import sys

NET = "198.18.1."
PORT_SETS = {0: (22,), 1: (80, 443), 2: (22, 80, 8080), 3: (443, 8080)}


def plan():
    out = []
    for octet in range(1, 255):
        if octet % 10 == 3:
            for port in PORT_SETS[(octet // 10) % 4]:
                out.append((NET + str(octet), port))
    return out


async def handle(reader, writer, port):
    try:
        if port == 22:
            writer.write(b"SSH-2.0-PortAtlasSweep_1.0\r\n")
            await writer.drain()
            await asyncio.wait_for(reader.read(256), timeout=5)
        elif port in (80, 8080):
            await asyncio.wait_for(reader.read(1024), timeout=5)
            body = b"PortAtlas sweep host\n"
            writer.write(b"HTTP/1.0 200 OK\r\nServer: PortAtlasSweep/1.0\r\n"
                         b"Content-Type: text/plain\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
                         + body)
            await writer.drain()
        else:
            await asyncio.wait_for(reader.read(1024), timeout=5)
    except Exception:
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def serve():
    servers = []
    for addr, port in plan():
        srv = await asyncio.start_server(
            lambda r, w, p=port: handle(r, w, p), host=addr, port=port,
            reuse_address=True, backlog=128)
        servers.append(srv)
    print(f"sweep.py: {len(servers)} listeners bound", file=sys.stderr, flush=True)
    await asyncio.Event().wait()


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--plan":
        for addr, port in plan():
            print(f"{addr}\t{port}")
    elif len(sys.argv) == 2 and sys.argv[1] == "--serve":
        try:
            asyncio.run(serve())
        except KeyboardInterrupt:
            pass
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
