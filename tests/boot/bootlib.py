"""Shared code of the real-guest boot tests (tests/boot) and the Linux boot
benchmark (tests/bench/bench-linux-boot.py).

A guest is one of GUESTS: files prepared by tools/guest-images and what
shows that it booted (a marker line on COM1, or text on the VGA screen).
Two runners start a guest and wait for that sign within a time limit:

- run_qemu():     qemu-system-i386 -accel tcg, the reference peer. It
                  proves the fixtures right, and is the benchmark's
                  yardstick.
- run_boxwood():  boxwood-manage makes a machine in a private world (temp
                  HOME, BOXWOOD_USER_HOME, XDG_RUNTIME_DIR), boxwood-vm
                  --startvm NAME --headless runs it on the software CPU.

Both return a Result or raise Skip (a precondition is missing: the exact
reason) or Fail (the guest did not show its sign: what it did show).
Nothing here passes without the guest having booted.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SKIP = 77
MARKER = "BOXWOOD-GUEST-READY"
MEMORY_MB = 256

SOURCE_ROOT = os.environ.get("BW_SOURCE_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD_ROOT = os.environ.get("BW_BUILD_ROOT") or os.path.join(SOURCE_ROOT, "build")
CACHE = os.environ.get("BOXWOOD_GUEST_CACHE") or os.path.join(SOURCE_ROOT, "build", "guests")

# The kernel command line of every Linux guest (tools/guest-images writes
# the same into the GRUB ISO's menu). The crypto self-tests (about half of
# the boot on an emulated CPU) and ISA PnP probing are off: they test the
# kernel, not the machine. Not quiet: where a failing boot stopped shows.
# 115200 baud, as in the GRUB ISO's menu entry: the UART sends as fast as
# its back end takes the bytes, so the rate only matters while a back end
# is backed up (then the UART paces at the line's speed).
LINUX_CMDLINE = ("console=ttyS0,115200 panic=-1 cryptomgr.notests isapnp=0 "
                 "boxwood.action=poweroff")

# Kernel messages that say the machine failed the guest even though it
# reached its marker: a stall or lockup (time or interrupts stood still),
# an oops. run-guest.py fails such a boot.
KERNEL_FAULTS = re.compile(r"(?m)^.*(rcu: INFO: .*stall|soft lockup|hard LOCKUP|"
                           r"blocked for more than \d+ seconds|BUG: |Oops|"
                           r"general protection fault).*$")
# The kernel's complaints about its clocks, shown with the result. The TSC
# watchdog compares the TSC with the PIT clocksource, which counts timer
# interrupts: ticks that merge while the console keeps interrupts off make
# it call the TSC unstable (until an ACPI PM timer is the watchdog).
CLOCK_COMPLAINTS = re.compile(r"(?m)^.*(TSC unstable|clocksource.*unstable|"
                              r"lost \d+ ticks|timekeeping watchdog).*$")

# CPUID.1:EDX bits a guest needs (linux-image-686 is built for the 686
# class without math emulation: it stops on a CPU without them).
CPUID_EDX = {"FPU": 0, "TSC": 4, "CX8": 8, "CMOV": 15}


class Skip(Exception):
    """A precondition is missing; the test cannot say anything yet."""


class Fail(Exception):
    """The guest ran but did not show that it booted."""


class Guest:
    def __init__(self, name, title, *, kernel=None, initrd=None, iso=None, serial=None,
                 screen=None, press=None, cpuid=(), memory=MEMORY_MB, limit=60.0,
                 qemu_limit=60.0, qemu="qemu-system-i386"):
        self.name = name
        self.title = title
        self.kernel = kernel          # direct Linux boot
        self.initrd = initrd
        self.iso = iso                # or a CD through SeaBIOS
        self.serial = serial          # regex on COM1 that shows the boot
        self.screen = screen          # or a regex on the VGA text screen
        self.press = press            # then (key, regex): a key and what it shows
        self.cpuid = cpuid            # CPUID.1:EDX features it needs
        self.memory = memory          # MiB
        self.limit = limit            # seconds for Boxwood
        self.qemu_limit = qemu_limit  # seconds for QEMU
        self.qemu = qemu              # the QEMU that runs it

    def files(self):
        return [f for f in (self.kernel, self.initrd, self.iso) if f]

    def path(self, rel):
        return os.path.join(CACHE, rel)

    def check_files(self):
        missing = [f for f in self.files() if not os.path.isfile(self.path(f))]
        if missing:
            raise Skip(f"fixture {', '.join(missing)} not in {CACHE}: run tools/guest-images "
                       f"(tools/setup runs it)")


GUESTS = {g.name: g for g in (
    Guest("linux-686-direct", "Debian linux-image-686 + busybox initramfs, direct Linux boot",
          kernel="linux-686/vmlinuz", initrd="linux-686/initrd.img",
          serial=re.escape(MARKER) + r" \S+ i\d86", cpuid=("FPU", "TSC", "CX8", "CMOV"),
          limit=300.0),
    Guest("linux-686-grub-iso", "the same kernel and initramfs from an ISO through SeaBIOS and GRUB",
          iso="linux-686/grub.iso",
          serial=r"(?s)GNU GRUB.*boxwood: loading Linux.*" + re.escape(MARKER) + r" \S+ i\d86",
          cpuid=("FPU", "TSC", "CX8", "CMOV"), limit=420.0, qemu_limit=90.0),
    Guest("grub-rescue-menu", "grub-rescue-cdrom.iso from the ATAPI CD to the GRUB menu",
          iso="grub-rescue-cdrom.iso",
          # The '*' marks the selected entry; a frame (box drawing
          # characters, or blanks where they are not text) may precede it.
          screen=r"GNU GRUB +version .*\n(?:.*\n)*?[^\w\n]*\*GNU/Linux", limit=120.0,
          press=("down", r"\n[^\w\n]*\*GNU \(aka GNU/Hurd\)")),
    # For the 64-bit CPU later: run-guest.py --peer qemu checks the fixture.
    Guest("linux-amd64-direct", "Debian linux-image-amd64 + busybox initramfs, direct Linux boot",
          kernel="linux-amd64/vmlinuz", initrd="linux-amd64/initrd.img",
          serial=re.escape(MARKER) + r" \S+ x86_64", cpuid=("FPU", "TSC", "CX8", "CMOV"),
          limit=180.0, qemu="qemu-system-x86_64"),
    # 32 MiB: with 256 MiB memtest86+ 6.10 first measured the memory
    # bandwidth, 4 minutes in QEMU's TCG; with 32 MiB it starts testing.
    Guest("memtest", "memtest86+ia32.iso: a test pass in progress, no errors",
          iso="memtest86+ia32.iso",
          screen=r"(?s)Memtest86\+.*Pass +\d+%.*Test #\s*\d+ .*Errors: +0(?!\d)",
          memory=32, limit=180.0),
)}


# Keys a test presses: QEMU's qcode, and the scan codes (set 1, make and
# break) that boxwood-manage controlvm NAME keyboardputscancode sends.
KEYS = {"down": ("down", ["e0", "50", "e0", "d0"])}


class Result:
    def __init__(self, guest, peer, seconds, serial="", screen=""):
        self.guest = guest
        self.peer = peer
        self.seconds = seconds   # from starting the process to the sign
        self.serial = serial
        self.screen = screen

    def as_dict(self):
        return {"guest": self.guest.name, "peer": self.peer, "seconds": round(self.seconds, 3)}


def tail(text, lines=25):
    return "\n".join(text.splitlines()[-lines:])


def log_digest(text, lines=40):
    """The end of a VM log without the flood of guest memory errors that a
    Linux kernel's ROM scan causes (the first three are kept)."""
    kept, dropped = [], 0
    for line in text.splitlines():
        if "guest error" in line:
            dropped += 1
            if dropped > 3:
                continue
        kept.append(line)
    if dropped > 3:
        kept.append(f"({dropped - 3} more guest errors)")
    return "\n".join(kept[-lines:])


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def decode_text_screen(vram, columns=80, rows=25):
    """Characters of a VGA text page (character, attribute pairs) as lines."""
    out = []
    for r in range(rows):
        row = vram[r * columns * 2:(r + 1) * columns * 2:2]
        out.append("".join(chr(c) if 32 <= c < 127 else " " for c in row).rstrip())
    return "\n".join(out)


def stop_process(proc, grace=10.0):
    """SIGTERM (a VM powers off on it), then SIGKILL after grace seconds."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- QEMU -----------------------------------------------------------------------


class Qmp:
    """A QMP connection: commands in, replies out, events skipped."""

    def __init__(self, path, deadline):
        self.sock = socket.socket(socket.AF_UNIX)
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise Fail("QEMU's QMP socket did not appear")
                time.sleep(0.05)
        self.sock.settimeout(30)
        self.buf = b""
        self._reply()  # greeting
        self.command("qmp_capabilities")

    def _reply(self):
        while True:
            while b"\n" not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    raise Fail("QEMU closed its QMP socket")
                self.buf += data
            line, self.buf = self.buf.split(b"\n", 1)
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def command(self, name, **args):
        self.sock.sendall(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        reply = self._reply()
        if "error" in reply:
            raise Fail(f"QMP {name}: {reply['error'].get('desc')}")
        return reply.get("return")

    def close(self):
        self.sock.close()


def qemu_binary(name="qemu-system-i386"):
    path = shutil.which(name)
    if not path:
        raise Skip(f"{name} is not installed (package qemu-system-x86; tools/setup installs it)")
    return path


def run_qemu(guest, limit=None):
    """Boots the guest in QEMU's TCG until it shows its sign (and, for a
    guest with a key to press, what that key shows)."""
    guest.check_files()
    qemu = qemu_binary(guest.qemu)
    limit = limit or guest.qemu_limit
    work = tempfile.mkdtemp(prefix="bw-boot-qemu-")
    serial = os.path.join(work, "serial.log")
    qmp_path = os.path.join(work, "qmp.sock")
    argv = [qemu, "-accel", "tcg", "-m", str(guest.memory), "-display", "none", "-nic", "none",
            "-no-reboot", "-monitor", "none", "-serial", "file:" + serial,
            "-qmp", f"unix:{qmp_path},server=on,wait=off"]
    if guest.kernel:
        argv += ["-kernel", guest.path(guest.kernel), "-initrd", guest.path(guest.initrd),
                 "-append", LINUX_CMDLINE]
    else:
        argv += ["-cdrom", guest.path(guest.iso), "-boot", "d"]
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, cwd=work)
    qmp = None
    screen = ""

    def read_screen():
        nonlocal screen
        vram = os.path.join(work, "vram.bin")
        qmp.command("pmemsave", val=0xB8000, size=80 * 25 * 2, filename=vram)
        with open(vram, "rb") as f:
            screen = decode_text_screen(f.read())
        return screen

    def wait(pattern, read, until, what):
        while True:
            now = time.monotonic()
            if re.search(pattern, read()):
                return now - t0
            if proc.poll() is not None:
                out = proc.stdout.read().decode(errors="replace")
                raise Fail(f"QEMU exited ({proc.returncode}) before {what}\n{out}\nserial:\n"
                           f"{tail(read_text(serial))}\nscreen:\n{screen}")
            if now > until:
                raise Fail(f"{guest.name}: no {what} within {until - t0:.0f} s\nserial:\n"
                           f"{tail(read_text(serial))}\nscreen:\n{screen}")
            time.sleep(0.02 if read is not read_screen else 0.25)

    try:
        if guest.screen:
            qmp = Qmp(qmp_path, t0 + limit)
            secs = wait(guest.screen, read_screen, t0 + limit, "sign on the screen")
        else:
            secs = wait(guest.serial, lambda: read_text(serial), t0 + limit, "marker on COM1")
        result = Result(guest, "qemu", secs, serial=read_text(serial), screen=screen)
        if guest.press:
            key, pattern = guest.press
            qmp.command("send-key", keys=[{"type": "qcode", "data": KEYS[key][0]}])
            wait(pattern, read_screen, time.monotonic() + 30.0, f"change after the key {key}")
            result.screen = screen
    finally:
        if qmp:
            qmp.close()
        stop_process(proc, 5.0)
        shutil.rmtree(work, ignore_errors=True)
    return result


# --- Boxwood --------------------------------------------------------------------


def boxwood_programs():
    progs = {
        "manage": os.path.join(BUILD_ROOT, "app", "manage", "boxwood-manage"),
        "vm": os.path.join(BUILD_ROOT, "app", "vm", "boxwood-vm"),
        "svc": os.path.join(BUILD_ROOT, "app", "svc", "boxwood-svc"),
    }
    for what, path in progs.items():
        if not os.access(path, os.X_OK):
            raise Skip(f"boxwood-{what} is not built ({path})")
    return progs


class World:
    """A private Boxwood installation: its own folders, service and machines."""

    def __init__(self):
        self.progs = boxwood_programs()
        self.root = tempfile.mkdtemp(prefix="bw-boot-")
        self.home = os.path.join(self.root, "home")
        self.runtime = os.path.join(self.root, "run")
        for d in (self.home, os.path.join(self.root, "config"), self.runtime):
            os.makedirs(d, mode=0o700)
        self.env = dict(os.environ)
        self.env.update({
            "HOME": self.home,
            "BOXWOOD_USER_HOME": os.path.join(self.root, "config"),
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_RUNTIME_DIR": self.runtime,
            "BOXWOOD_SVC": self.progs["svc"],
            "LC_ALL": "C.UTF-8",
        })

    def manage(self, *args, check=True):
        p = subprocess.run([self.progs["manage"]] + [str(a) for a in args], env=self.env,
                           cwd=self.root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        if check and p.returncode != 0:
            raise Fail(f"boxwood-manage {' '.join(map(str, args))}: {p.stderr.strip()}")
        return p

    def start_vm(self, name, *extra):
        out = open(os.path.join(self.root, "vm.out"), "wb")
        proc = subprocess.Popen([self.progs["vm"], "--startvm", name, "--headless"] + list(extra),
                                env=self.env, cwd=self.root, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)
        out.close()
        return proc

    def vm_output(self):
        return read_text(os.path.join(self.root, "vm.out")).strip()

    def vm_log(self, name):
        return read_text(os.path.join(self.home, "Boxwood VMs", name, "Logs", "boxwood.log"))

    def service_pids(self):
        """This world's boxwood-svc processes (found by XDG_RUNTIME_DIR)."""
        want = ("XDG_RUNTIME_DIR=" + self.runtime).encode()
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if not f.read().split(b"\0")[0].endswith(b"boxwood-svc"):
                        continue
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if want in f.read().split(b"\0"):
                        pids.append(int(entry))
            except OSError:
                continue
        return pids

    def close(self):
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            for pid in self.service_pids():
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + wait
            while self.service_pids() and time.monotonic() < deadline:
                time.sleep(0.05)
        shutil.rmtree(self.root, ignore_errors=True)


# Messages of the execution manager (vmm/bw-exec-manager.c) when the
# software backend is not built or cannot run.
NO_BACKEND = re.compile(r"is not available in this build|cannot run here|No CPU backend can run")


def make_machine(world, guest, name, serial):
    world.manage("createvm", "--name", name, "--register")
    args = ["modifyvm", name, "--memory", guest.memory, "--acceleration", "software",
            "--uart1", "0x3f8", "4", "--uartmode1", "file", serial]
    if guest.kernel:
        args += ["--kernel", guest.path(guest.kernel), "--initrd", guest.path(guest.initrd),
                 "--cmdline", LINUX_CMDLINE, "--boot1", "none"]
    else:
        args += ["--boot1", "dvd", "--boot2", "none"]
    world.manage(*args)
    if guest.iso:
        # createvm gives new machines an IDE controller; add one if not.
        info = world.manage("showvminfo", name, "--machinereadable").stdout
        if "IDE" not in info:
            world.manage("storagectl", name, "--name", "IDE", "--add", "ide")
        world.manage("storageattach", name, "--storagectl", "IDE", "--port", "1", "--device", "0",
                     "--type", "dvddrive", "--medium", guest.path(guest.iso))


def wait_for(proc, path, pattern, limit, what):
    """Polls path for pattern while proc runs; returns (seconds, text)."""
    t0 = time.monotonic()
    while True:
        text = read_text(path)
        m = re.search(pattern, text)
        if m:
            return time.monotonic() - t0, text
        if proc.poll() is not None:
            return None, text
        if time.monotonic() - t0 > limit:
            return None, text
        time.sleep(0.02)


def probe_cpuid(world, name, probe, serial):
    """Runs the CPUID probe guest on the machine; returns CPUID.1:EDX."""
    if not probe or not os.path.isfile(probe):
        raise Skip(f"the CPUID probe guest is not built ({probe})")
    probe = os.path.abspath(probe)
    open(serial, "w").close()
    proc = world.start_vm(name, "--image", probe)
    try:
        secs, text = wait_for(proc, serial, r"BOXWOOD-CPUID (none|max=\S+ 1:eax=\S+ ecx=\S+ "
                                             r"edx=([0-9a-f]{8}))\r?\n", 60.0, "cpuid")
    finally:
        stop_process(proc)
    if secs is None:
        out = world.vm_output()
        if NO_BACKEND.search(out):
            raise Skip(f"Boxwood's software CPU backend is not available: {out}")
        raise Fail(f"the CPUID probe guest printed nothing on the software CPU (boxwood-vm exit "
                   f"{proc.returncode}): {out}\nlog:\n{log_digest(world.vm_log(name))}")
    m = re.search(r"edx=([0-9a-f]{8})", text)
    return int(m.group(1), 16) if m else 0


def screen_text(world, name):
    p = world.manage("controlvm", name, "screentext", check=False)
    if p.returncode != 0:
        return None, p.stderr.strip()
    return p.stdout, ""


def check_preconditions(world, guest, name, probe, serial):
    """Raises Skip unless Boxwood has everything this guest needs."""
    edx = probe_cpuid(world, name, probe, serial)
    missing = [f for f in guest.cpuid if not edx & (1 << CPUID_EDX[f])]
    if missing:
        raise Skip(f"Boxwood's software CPU does not offer {', '.join(missing)} (CPUID.1:EDX="
                   f"{edx:#010x}), which {guest.name} needs; this test boots it once the CPU "
                   f"does")
    if guest.iso:
        # The configuration tree that boxwood-vm logs at start: the ISO
        # or a CD/IDE device in it means the guest gets the drive.
        config = world.vm_log(name).split("Configuration:", 1)[-1]
        config = re.split(r"(?m)^\d\d:\d\d:\d\d\.\d{3} ", config, 1)[0]
        if (guest.path(guest.iso) not in config
                and not re.search(r"(?i)\b(atapi|cd-?rom|dvd\w*|ide\d*|piix3?-ide)\b", config)):
            raise Skip(f"boxwood-vm does not give the machine's DVD drive to the guest yet: its "
                       f"configuration (Logs/boxwood.log) does not name {guest.iso} "
                       f"(app/vm/bw-vm-app-config.c has no storage)")
    if guest.screen:
        p = world.manage("controlvm", "--help", check=False)
        if p.returncode != 0 or "screentext" not in p.stdout + p.stderr:
            raise Skip("boxwood-manage has no 'controlvm NAME screentext' yet (issue 4), which "
                       f"{guest.name} reads the screen with")


def run_boxwood(guest, probe, limit=None):
    """Boots the guest on Boxwood's software CPU, as run_qemu does in QEMU.
    probe: the CPUID probe guest (tests/boot/cpuid-probe.asm, built)."""
    guest.check_files()
    limit = limit or guest.limit
    world = World()
    name = "boot-" + guest.name
    serial = os.path.join(world.root, "serial.log")
    screen = ""

    def read_screen():
        nonlocal screen
        got, _ = screen_text(world, name)
        if got is not None:
            screen = got
        return screen

    try:
        make_machine(world, guest, name, serial)
        check_preconditions(world, guest, name, probe, serial)
        open(serial, "w").close()
        t0 = time.monotonic()
        proc = world.start_vm(name)

        def wait(pattern, read, until, what):
            next_log = 0.0
            while True:
                now = time.monotonic()
                if re.search(pattern, read()):
                    return now - t0
                reset = None
                if now >= next_log:
                    # A guest that resets (a triple fault, or a panic with
                    # panic=-1) will not show its sign: say so at once.
                    next_log = now + 1.0
                    running = world.vm_log(name).split("-> running", 1)
                    reset = len(running) == 2 and re.search(
                        r"(?m)^.*(triple fault|Hardware reset).*$", running[1])
                if reset or proc.poll() is not None or now > until:
                    why = (f"the machine reset before {what}: {reset.group(0).strip()}" if reset
                           else f"boxwood-vm exited ({proc.returncode})" if proc.poll() is not None
                           else f"no {what} within {until - t0:.0f} s")
                    raise Fail(f"{guest.name}: {why}\nboxwood-vm: {world.vm_output()}\n"
                               f"serial:\n{tail(read_text(serial))}\nscreen:\n{screen}\n"
                               f"log:\n{log_digest(world.vm_log(name))}")
                time.sleep(0.02 if read is not read_screen else 0.5)

        try:
            if guest.screen:
                secs = wait(guest.screen, read_screen, t0 + limit, "sign on the screen")
            else:
                secs = wait(guest.serial, lambda: read_text(serial), t0 + limit,
                            "marker on COM1")
            result = Result(guest, "boxwood", secs, serial=read_text(serial), screen=screen)
            if guest.press:
                key, pattern = guest.press
                world.manage("controlvm", name, "keyboardputscancode", *KEYS[key][1])
                wait(pattern, read_screen, time.monotonic() + 60.0, f"change after the key {key}")
                result.screen = screen
        finally:
            stop_process(proc)
        return result
    finally:
        world.close()
