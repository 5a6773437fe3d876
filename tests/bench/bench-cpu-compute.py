#!/usr/bin/python3
"""CPU compute benchmark: guest instructions per second on a fixed integer
loop (tests/bench/cpu-compute.asm, a Multiboot guest), Boxwood's software
CPU (boxwood-vm --image on a machine with software acceleration) against
qemu-system-i386 -accel tcg, the same binary, in one run. Prints the rate
of each and the ratio.

  bench-cpu-compute.py --guest cpu-compute.bin [--runs N]

The guest prints a line on COM1 before and after the loop; the time
between the two lines as they appear in the serial file is the loop's
time (process start and firmware do not count). Each side runs --runs
times (default 3); its best rate counts. Both sides must print the same
sums, or the benchmark fails: a fast wrong CPU is not faster.
Exit status 77 when QEMU or Boxwood's programs are missing.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "boot"))
import bootlib  # noqa: E402

START = "BW-COMPUTE-START"
END = re.compile(r"BW-COMPUTE-END insns=([0-9a-f]{8}) sum=([0-9a-f]{8}) odd=([0-9a-f]{8})\r?\n")
LIMIT = 300.0


def time_loop(proc, serial, what):
    """Polls the serial file: (loop seconds, instructions, sums)."""
    t0 = time.monotonic()
    started = None
    while True:
        now = time.monotonic()
        text = bootlib.read_text(serial)
        if started is None and START in text:
            started = now
        m = END.search(text)
        if m and started is not None:
            return now - started, int(m.group(1), 16), m.group(2, 3)
        if proc.poll() is not None or now - t0 > LIMIT:
            why = f"exited ({proc.returncode})" if proc.poll() is not None else "timed out"
            raise bootlib.Fail(f"{what} {why}; COM1: {bootlib.tail(text, 5)!r}")
        time.sleep(0.002)


def run_qemu(image):
    qemu = bootlib.qemu_binary("qemu-system-i386")
    work = tempfile.mkdtemp(prefix="bw-compute-qemu-")
    serial = os.path.join(work, "serial.log")
    open(serial, "w").close()
    proc = subprocess.Popen([qemu, "-accel", "tcg", "-m", "32", "-display", "none", "-nic",
                             "none", "-no-reboot", "-monitor", "none", "-serial",
                             "file:" + serial, "-kernel", os.path.abspath(image), "-device",
                             "isa-debug-exit,iobase=0xf4,iosize=1"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=work)
    try:
        return time_loop(proc, serial, "QEMU")
    finally:
        bootlib.stop_process(proc)
        bootlib.shutil.rmtree(work, ignore_errors=True)


def run_boxwood(image):
    world = bootlib.World()
    try:
        name = "cpu-compute"
        serial = os.path.join(world.root, "serial.log")
        world.manage("createvm", "--name", name, "--register")
        world.manage("modifyvm", name, "--memory", "32", "--acceleration", "software",
                     "--uart1", "0x3f8", "4", "--uartmode1", "file", serial)
        open(serial, "w").close()
        proc = world.start_vm(name, "--image", os.path.abspath(image))
        try:
            return time_loop(proc, serial, "boxwood-vm")
        except bootlib.Fail as e:
            raise bootlib.Fail(f"{e}\nboxwood-vm: {world.vm_output()}") from None
        finally:
            bootlib.stop_process(proc)
    finally:
        world.close()


def side(label, run, image, runs):
    best = None
    for k in range(runs):
        secs, insns, sums = run(image)
        rate = insns / secs
        print(f"  {label} run {k + 1}: {insns} instructions in {secs:.3f} s = "
              f"{rate / 1e6:.1f} M/s", flush=True)
        if best is None or rate > best[0]:
            best = (rate, sums)
    return best


def main():
    ap = argparse.ArgumentParser(description="guest instructions per second, Boxwood vs QEMU")
    ap.add_argument("--guest", required=True, help="cpu-compute.bin (built from cpu-compute.asm)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not os.path.isfile(args.guest):
        print(f"SKIP: the compute guest is not built ({args.guest})")
        return bootlib.SKIP

    print("Integer compute loop (loads, stores, ALU, IMUL, rotate, call/ret, branches), "
          "Multiboot guest, 32 MiB", flush=True)
    try:
        q_rate, q_sums = side("QEMU TCG", run_qemu, args.guest, args.runs)
        b_rate, b_sums = side("Boxwood software CPU", run_boxwood, args.guest, args.runs)
    except bootlib.Skip as e:
        print(f"SKIP: {e}")
        return bootlib.SKIP
    except bootlib.Fail as e:
        print(f"FAIL: {e}")
        return 1
    print(f"QEMU qemu-system-i386 -accel tcg: {q_rate / 1e6:.1f} M guest instructions/s")
    print(f"Boxwood software CPU: {b_rate / 1e6:.1f} M guest instructions/s")
    print(f"ratio QEMU/Boxwood: {q_rate / b_rate:.2f} (Boxwood takes that many times longer)")
    if q_sums != b_sums:
        print(f"FAIL: the results differ: QEMU sum={q_sums[0]} odd={q_sums[1]}, "
              f"Boxwood sum={b_sums[0]} odd={b_sums[1]}")
        return 1
    print(json.dumps({"qemu_ips": round(q_rate), "boxwood_ips": round(b_rate),
                      "ratio": round(q_rate / b_rate, 3)}))
    return 0


if __name__ == "__main__":
    # Meson stops a benchmark that runs too long with SIGTERM: leave through
    # the finally blocks (machines powered off, private worlds removed).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    sys.exit(main())
