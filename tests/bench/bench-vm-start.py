#!/usr/bin/env python3
"""VM process start to first guest instruction, per CPU backend.

Spawns `boxwood-vm --startvm NAME --headless` with a flat real-mode guest
(tests/guests/realmode.asm) whose first instructions write to COM1, and
times the spawn until the first byte reaches the serial file: process
start, settings from the service, board and firmware set-up, backend
choice and the guest's first port writes. The service is kept warm, as it
is when a person starts a machine from the manager. Prints the median and
range of several runs for each backend that is available.
"""
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("BW_BUILD_ROOT", "build")
MANAGE = os.path.join(BUILD, "app", "manage", "boxwood-manage")
VM = os.path.join(BUILD, "app", "vm", "boxwood-vm")
GUEST = os.path.join(BUILD, "tests", "guests", "realmode.bin")
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def manage(env, *args):
    subprocess.run([MANAGE, *args], env=env, check=True, stdout=subprocess.DEVNULL)


def one_start(env, name, serial):
    if os.path.exists(serial):
        os.unlink(serial)
    start = time.monotonic()
    vm = subprocess.Popen([VM, "--startvm", name, "--headless", "--image", GUEST,
                           "--image-kind", "flat"], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = None
    while time.monotonic() - start < 30:
        if os.path.exists(serial) and os.path.getsize(serial) > 0:
            elapsed = time.monotonic() - start
            break
        if vm.poll() is not None:
            break
        time.sleep(0.001)
    if vm.poll() is None:
        vm.send_signal(signal.SIGTERM)
    _, err = vm.communicate(timeout=30)
    if elapsed is None:
        sys.exit(f"bench-vm-start: no guest output; boxwood-vm said: {err.decode().strip()}")
    return elapsed


def main():
    for f in (MANAGE, VM, GUEST):
        if not os.path.exists(f):
            sys.exit(f"bench-vm-start: {f} is not built")
    top = tempfile.mkdtemp(prefix="bw-bench-vm-start-")
    env = dict(os.environ, HOME=os.path.join(top, "home"),
               BOXWOOD_USER_HOME=os.path.join(top, "config"),
               XDG_RUNTIME_DIR=os.path.join(top, "run"))
    for d in ("home", "config", "run"):
        os.makedirs(os.path.join(top, d), mode=0o700)
    try:
        backends = ["software", "auto"]
        if os.access("/dev/kvm", os.R_OK | os.W_OK):
            backends.insert(1, "kvm")
        print(f"VM process start to first guest instruction ({RUNS} runs each)")
        for backend in backends:
            name = f"start-{backend}"
            serial = os.path.join(top, f"{name}.serial")
            manage(env, "createvm", "--name", name, "--register")
            manage(env, "modifyvm", name, "--memory", "16", "--acceleration", backend,
                   "--uart1", "0x3f8", "4", "--uartmode1", "file", serial)
            one_start(env, name, serial)  # warm the service and the page cache
            times = [one_start(env, name, serial) for _ in range(RUNS)]
            print(f"  {backend:9s} median {statistics.median(times) * 1000:7.1f} ms"
                  f"  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
