"""What the fixture capture scripts share: reading a daemon's answer for a while, and saving it as a fixture."""
import os
import socket
import ssl
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def read_for(sock, seconds, cap=65536):
    """Reads what the peer sends for up to SECONDS (or CAP bytes, or until it closes)."""
    sock.settimeout(0.2)
    data = b""
    end = time.time() + seconds
    while time.time() < end and len(data) < cap:
        try:
            chunk = sock.recv(4096)
        except (socket.timeout, ssl.SSLWantReadError):
            continue
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data


def save(name, data):
    """Writes NAME.bin next to this script and prints what it holds."""
    with open(os.path.join(HERE, name + ".bin"), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes {data[:120]!r}")
