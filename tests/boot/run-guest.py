#!/usr/bin/python3
"""Boots one real guest and waits for the sign that it booted.

  run-guest.py [--peer boxwood|qemu] [--probe FILE] [--limit S] [--json] GUEST

GUEST is one of bootlib.GUESTS (--list shows them). With --peer boxwood
(default) it makes a machine with boxwood-manage in a private temporary
world, runs it with `boxwood-vm --startvm NAME --headless` on the software
CPU and powers it off after the sign; with --peer qemu it boots the same
files in qemu-system-i386 -accel tcg (the reference run that proves the
fixtures). Exit status: 0 booted (the time is printed), 77 skipped (the
reason is printed: a fixture, a program or a capability is missing), 1 the
guest did not boot.
"""

import argparse
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bootlib  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description="Boot a real guest and time it.")
    ap.add_argument("guest", nargs="?", help="the guest (see --list)")
    ap.add_argument("--peer", choices=["boxwood", "qemu"], default="boxwood")
    ap.add_argument("--probe", help="the CPUID probe guest (built from cpuid-probe.asm)")
    ap.add_argument("--limit", type=float, help="seconds to wait for the sign")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--list", action="store_true", help="list the guests")
    args = ap.parse_args()

    if args.list or not args.guest:
        for g in bootlib.GUESTS.values():
            print(f"{g.name:20} {g.title}")
        return 0 if args.list else 2
    guest = bootlib.GUESTS.get(args.guest)
    if not guest:
        print(f"run-guest: unknown guest '{args.guest}' (see --list)", file=sys.stderr)
        return 2

    try:
        if args.peer == "qemu":
            result = bootlib.run_qemu(guest, args.limit)
        else:
            result = bootlib.run_boxwood(guest, args.probe, args.limit)
    except bootlib.Skip as e:
        print(f"SKIP {guest.name} on {args.peer}: {e}")
        print(f"SKIP {guest.name} on {args.peer}: {e}", file=sys.stderr)
        return bootlib.SKIP
    except bootlib.Fail as e:
        print(f"FAIL {guest.name} on {args.peer}: {e}")
        return 1

    fault = bootlib.KERNEL_FAULTS.search(result.serial or "")
    if fault:
        print(f"FAIL {guest.name} on {args.peer}: the marker appeared after {result.seconds:.2f} s, "
              f"but the kernel said: {fault.group(0).strip()}\nserial:\n"
              f"{bootlib.tail(result.serial)}")
        return 1
    complaints = [m.group(0).strip()
                  for m in bootlib.CLOCK_COMPLAINTS.finditer(result.serial or "")]
    if args.json:
        print(json.dumps(result.as_dict()))
    else:
        print(f"{guest.name} on {args.peer}: booted in {result.seconds:.2f} s ({guest.title})")
        if result.screen:
            print("screen:\n" + result.screen)
        elif result.serial:
            print("serial (end):\n" + bootlib.tail(result.serial, 5))
        if complaints:
            print("the kernel's clock complaints:\n" + "\n".join(complaints))
    return 0


if __name__ == "__main__":
    # Meson stops a test that runs too long with SIGTERM: leave through
    # the finally blocks, so the machine is powered off and its private
    # world (service, temporary folders) removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    sys.exit(main())
