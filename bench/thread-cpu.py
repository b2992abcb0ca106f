#!/usr/bin/env python3
"""Runs a command and reports the CPU time of its threads, summed by thread name (issue 16, bench/compare-ring.sh).

Usage: bench/thread-cpu.py OUT.tsv CMD ARGS...   (the command's stdout/stderr pass through; its exit code is returned)
Every 5 ms it reads /proc/PID/task/*/schedstat (time on a CPU, in nanoseconds) and keeps each thread's last value, so a
thread that exits is counted up to its last sample (at most 5 ms short). OUT.tsv gets one line per name:
name<TAB>threads<TAB>cpu seconds, then "wall<TAB>1<TAB>seconds". Names are the kernel's (15 characters).
"""
import os
import subprocess
import sys
import time


def sample(pid, seen):
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                ns = int(f.read().split()[0])
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        seen[tid] = (name, ns)


def main():
    out, command = sys.argv[1], sys.argv[2:]
    seen = {}
    start = time.monotonic()
    child = subprocess.Popen(command)
    while child.poll() is None:
        sample(child.pid, seen)
        time.sleep(0.005)
    wall = time.monotonic() - start
    totals = {}
    for name, ns in seen.values():
        count, total = totals.get(name, (0, 0))
        totals[name] = (count + 1, total + ns)
    with open(out, "w") as f:
        for name, (count, ns) in sorted(totals.items(), key=lambda item: -item[1][1]):
            f.write(f"{name}\t{count}\t{ns / 1e9:.3f}\n")
        f.write(f"wall\t1\t{wall:.3f}\n")
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
