#!/usr/bin/python3
"""Benchmark: `boxwood-manage list vms` with N registered machines (default
1,000), with the service cold (not running: the call starts it and it loads
every settings file) and warm (already running). Prints the times; the
target is under 0.2 s warm.

    BW_BUILD_ROOT=build tests/bench/bench-list-vms.py [N] [--keep]
"""

import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "manage"))
import bwtest  # noqa: E402

TARGET_WARM = 0.2
ROUNDS = 5


def timed(w, *args):
    t0 = time.monotonic()
    rc, out, err = w.run(*args)
    elapsed = time.monotonic() - t0
    if rc != 0:
        sys.exit(f"boxwood-manage {' '.join(args)} failed: {err}")
    return elapsed, out


def main():
    n = int(next((a for a in sys.argv[1:] if a.isdigit()), "1000"))
    w = bwtest.Env(prefix="bw-bench-list-")
    try:
        t0 = time.monotonic()
        # Real machines, made the way a user makes them.
        for i in range(n):
            rc, _, err = w.run("createvm", "--name", f"Bench {i:04d}", "--ostype", "Debian_64",
                               "--register")
            if rc != 0:
                sys.exit(f"createvm {i} failed: {err}")
        print(f"created and registered {n} machines in {time.monotonic() - t0:.1f} s")

        cold, warm = [], []
        for _ in range(ROUNDS):
            w.stop_service()
            t, out = timed(w, "list", "vms")
            if len(out.splitlines()) != n:
                sys.exit(f"list vms printed {len(out.splitlines())} lines, expected {n}")
            cold.append(t)
            for _ in range(3):
                warm.append(timed(w, "list", "vms")[0])

        print(f"list vms, {n} machines, service cold: median {statistics.median(cold):.3f} s "
              f"(min {min(cold):.3f}, max {max(cold):.3f}, {len(cold)} runs)")
        print(f"list vms, {n} machines, service warm: median {statistics.median(warm):.3f} s "
              f"(min {min(warm):.3f}, max {max(warm):.3f}, {len(warm)} runs)")
        verdict = "met" if statistics.median(warm) < TARGET_WARM else "MISSED"
        print(f"target warm < {TARGET_WARM} s: {verdict}")
    finally:
        if "--keep" in sys.argv:
            w.stop_service()
            print(f"kept {w.root}")
        else:
            w.cleanup()


if __name__ == "__main__":
    main()
