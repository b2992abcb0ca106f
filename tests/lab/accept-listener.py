#!/usr/bin/env python3
"""Listeners that accept and close at once, in one process: accept-listener.py ADDRESS PORT...

A listener that never accepts fills its queue after enough connect scans and then drops SYNs, which would turn open
ports filtered in later runs. Used by tests/lab/scale.sh (listen on) and bench/compare-rate.sh.
"""
import selectors
import socket
import sys

address, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
sel = selectors.DefaultSelector()
for port in ports:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    s.listen(4096)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        try:
            c, _ = key.fileobj.accept()
            c.close()
        except OSError:
            pass
