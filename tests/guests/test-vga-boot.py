"""The issue-4 guest test: SeaBIOS boots vgaboot.bin (a boot sector of
this project) from an IDE disk (a VDI made by boxwood-manage
convertfromraw) and from an El Torito CD (an ISO made by xorriso), on
the software CPU, in a real boxwood-vm started by `boxwood-manage
startvm`. The guest writes two known lines on the VGA text screen, waits
for a key, then sets a 640x480x32 VBE mode and fills it with a known
pattern; the test reads both back with `controlvm screentext` and
`controlvm screenshotpng` and compares them exactly. The CD run also
changes the disc while the machine runs (dvdattach) and checks that the
settings follow.
"""

import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import unittest
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "manage"))
import bwtest  # noqa: E402

BOOT_BIN = os.environ.get("BW_VGABOOT_BIN") or os.path.join(
    bwtest.BUILD_ROOT, "tests", "guests", "vgaboot.bin")
LINE1 = "BOXWOOD BOOT SECTOR: VGA TEXT OK"
LINE2 = " " * 10 + "0123456789 abcdefghijklmnopqrstuvwxyz !#$%&()*+,-./:;<=>?@[]^_{|}~"
COLOURS = [(0xff, 0, 0), (0, 0xff, 0), (0, 0, 0xff), (0xff, 0xff, 0xff)]
BOOT_TIMEOUT = 240.0


def decode_png(data):
    """(width, height, rows of RGB bytes) of an 8-bit RGB PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert (depth, ctype) == (8, 2), f"PNG depth {depth} type {ctype}"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xff
            elif f == 2:
                line[i] = (line[i] + b) & 0xff
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 0xff
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def expected_rows():
    """The guest's pattern: byte offset o of VRAM has colour (o >> 16) & 3."""
    rows = []
    for y in range(480):
        line = bytearray()
        for x in range(640):
            line += bytes(COLOURS[((y * 640 + x) * 4 >> 16) & 3])
        rows.append(bytes(line))
    return rows


class VgaBootTests(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(BOOT_BIN):
            self.skipTest(f"{BOOT_BIN} is not built")
        self.w = bwtest.Env(prefix="bw-vgaboot-")
        self.pids = []

    def tearDown(self):
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.w.cleanup()

    def ok(self, *args):
        rc, out, err = self.w.run(*args)
        self.assertEqual(rc, 0, f"boxwood-manage {' '.join(map(str, args))} failed:\n{err}")
        return out

    def machine(self, name, *storage):
        self.ok("createvm", "--name", name, "--register")
        self.ok("modifyvm", name, "--acceleration", "software", "--memory", "32", "--vram", "16")
        for s in storage:
            self.ok("storageattach", name, "--storagectl", "IDE", *s)

    def start(self, name):
        out = self.ok("startvm", name, "--type", "headless")
        self.assertIn("successfully started", out)
        pid = int(out.rsplit("process ", 1)[1].split(")")[0])
        self.pids.append(pid)

    def wait_text(self, name):
        deadline = time.monotonic() + BOOT_TIMEOUT
        last = ""
        while time.monotonic() < deadline:
            rc, out, err = self.w.run("controlvm", name, "screentext")
            if rc == 0 and LINE1 in out:
                return out
            last = out or err
            time.sleep(0.5)
        self.fail(f"{name}: the boot sector's text did not appear; last screen:\n{last}")

    def wait_pattern(self, name):
        png = os.path.join(self.w.root, name + ".png")
        deadline = time.monotonic() + 60
        want = expected_rows()
        while time.monotonic() < deadline:
            self.ok("controlvm", name, "screenshotpng", png)
            with open(png, "rb") as f:
                width, height, rows = decode_png(f.read())
            if (width, height) == (640, 480) and rows == want:
                return
            time.sleep(0.5)
        bad = next((y for y in range(min(height, 480)) if rows[y] != want[y]), None)
        self.fail(f"{name}: screen {width}x{height}, first differing row {bad}")

    def check_guest(self, name, key=("keyboardputscancode", "39", "b9")):
        text = self.wait_text(name)
        lines = text.split("\n")
        self.assertEqual(len(lines), 26, text)  # 25 rows, each ending in a newline
        self.assertEqual(lines[0], LINE1)
        self.assertEqual(lines[1], "")
        self.assertEqual(lines[2], LINE2)
        self.assertTrue(all(line == "" for line in lines[3:]), text)
        # The text screen as a picture: 720x400 for 80x25 with 9x16 cells.
        png = os.path.join(self.w.root, name + "-text.png")
        self.ok("controlvm", name, "screenshotpng", png)
        with open(png, "rb") as f:
            width, height, _ = decode_png(f.read())
        self.assertEqual((width, height), (720, 400))
        # A key: the guest switches to VBE and draws.
        self.ok("controlvm", name, *key)
        self.wait_pattern(name)
        rc, _, err = self.w.run("controlvm", name, "screentext")
        self.assertEqual(rc, 1)
        self.assertIn("text", err)
        # It ran on the software CPU, with the boot order it was given.
        with open(os.path.join(self.w.machine_folder, name, "Logs", "boxwood.log")) as f:
            log = f.read()
        self.assertIn("software was chosen in the machine settings", log)
        self.assertIn("SeaBIOS boot order: /pci@i0cf8/*@1,1/drive@", log)

    def state(self, name):
        out = self.ok("showvminfo", name, "--machinereadable")
        for line in out.splitlines():
            if line.startswith("VMState="):
                return line.split("=", 1)[1].strip('"')
        self.fail(out)

    def test_boot_from_vdi(self):
        raw = os.path.join(self.w.root, "disk.raw")
        with open(BOOT_BIN, "rb") as src, open(raw, "wb") as dst:
            dst.write(src.read().ljust(1 << 20, b"\0"))
        vdi = os.path.join(self.w.root, "disk.vdi")
        self.ok("convertfromraw", raw, vdi, "--format", "VDI")
        self.machine("hdd-boot", ["--port", "0", "--device", "0", "--type", "hdd",
                                  "--medium", vdi])
        self.ok("modifyvm", "hdd-boot", "--boot1", "disk", "--boot2", "none")
        self.start("hdd-boot")
        self.check_guest("hdd-boot")
        # Pause and resume as the service sees them.
        self.ok("controlvm", "hdd-boot", "pause")
        self.assertEqual(self.state("hdd-boot"), "paused")
        self.assertIn('"hdd-boot"', self.ok("list", "runningvms"))
        rc, _, err = self.w.run("controlvm", "hdd-boot", "pause")
        self.assertEqual(rc, 1, err)
        self.ok("controlvm", "hdd-boot", "resume")
        self.assertEqual(self.state("hdd-boot"), "running")
        # A reset boots the sector again: its text, then (typed this time)
        # the pattern again.
        self.ok("controlvm", "hdd-boot", "reset")
        self.check_guest("hdd-boot", key=("keyboardputstring", "x"))
        self.ok("controlvm", "hdd-boot", "poweroff")
        deadline = time.monotonic() + 30
        while self.state("hdd-boot") != "poweroff" and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.state("hdd-boot"), "poweroff")
        rc, _, err = self.w.run("controlvm", "hdd-boot", "screentext")
        self.assertEqual(rc, 1)
        self.assertIn("is not running", err)

    @unittest.skipIf(shutil.which("xorriso") is None, "xorriso is not installed")
    def test_boot_from_iso(self):
        tree = os.path.join(self.w.root, "cd")
        os.mkdir(tree)
        with open(BOOT_BIN, "rb") as src, open(os.path.join(tree, "boot.img"), "wb") as dst:
            dst.write(src.read().ljust(2048, b"\0"))
        iso = os.path.join(self.w.root, "boot.iso")
        p = subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o", iso, "-b", "boot.img",
                            "-no-emul-boot", "-boot-load-size", "4", tree],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.machine("cd-boot", ["--port", "1", "--device", "0", "--type", "dvddrive",
                                 "--medium", iso])
        self.ok("modifyvm", "cd-boot", "--boot1", "dvd", "--boot2", "none")
        self.start("cd-boot")
        self.check_guest("cd-boot")
        # The disc changes while it runs; the settings follow.
        self.ok("controlvm", "cd-boot", "dvdattach", "emptydrive")
        info = self.ok("showvminfo", "cd-boot", "--machinereadable")
        self.assertIn('"IDE-1-0"="emptydrive"', info)
        self.ok("storageattach", "cd-boot", "--storagectl", "IDE", "--port", "1", "--device", "0",
                "--type", "dvddrive", "--medium", iso)
        info = self.ok("showvminfo", "cd-boot", "--machinereadable")
        self.assertIn(f'"IDE-1-0"="{iso}"', info)
        # Anything else waits for power-off.
        rc, _, err = self.w.run("modifyvm", "cd-boot", "--memory", "64")
        self.assertEqual(rc, 1)
        self.assertIn("powered off", err)
        self.ok("controlvm", "cd-boot", "poweroff")


if __name__ == "__main__":
    sys.exit(bwtest.tap_main(sys.modules[__name__]))
