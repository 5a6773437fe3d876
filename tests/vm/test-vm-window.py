"""boxwood-vm's window end to end (run by meson inside xvfb-run): the
vgaboot boot sector (tests/guests) booted by SeaBIOS from a VDI disk on
the software CPU, started with `boxwood-manage startvm --type gui`. The
window's display area is compared with the VM's own `controlvm
screenshotpng` in text mode and again after a key typed into the window
with xdotool makes the guest switch to a VBE mode; `controlvm pause`
shows in the title; Host+Q and the power-off answer power the machine
off and the service records it.
"""

import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "manage"))
import bwtest  # noqa: E402

BOOT_BIN = os.environ.get("BW_VGABOOT_BIN") or os.path.join(
    bwtest.BUILD_ROOT, "tests", "guests", "vgaboot.bin")
LINE1 = "BOXWOOD BOOT SECTOR: VGA TEXT OK"


def xdo(*args):
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=20).stdout


def rgb(path):
    """(width, height, raw RGB bytes) of an image file (ImageMagick)."""
    size = subprocess.run(["identify", "-format", "%w %h", path], check=True,
                          capture_output=True, text=True, timeout=30).stdout.split()
    raw = subprocess.run(["convert", path, "-depth", "8", "rgb:-"], check=True,
                         capture_output=True, timeout=30).stdout
    return int(size[0]), int(size[1]), raw


def find_in_root(guest, root):
    """Where the guest image lies 1:1 inside the root screenshot, or None."""
    gw, gh, graw = guest
    rw, rh, rraw = root
    # The first guest row with something on it, searched row by row.
    r0 = next((y for y in range(gh) if graw[y * gw * 3:(y + 1) * gw * 3].strip(b"\0")), None)
    if r0 is None:
        return None
    row = graw[r0 * gw * 3:(r0 + 1) * gw * 3]
    for y in range(r0, rh - (gh - r0) + 1):
        line = rraw[y * rw * 3:(y + 1) * rw * 3]
        x = line.find(row)
        while x >= 0:
            if x % 3 == 0:
                ox, oy = x // 3, y - r0
                if all(rraw[((oy + j) * rw + ox) * 3:((oy + j) * rw + ox + gw) * 3]
                       == graw[j * gw * 3:(j + 1) * gw * 3] for j in range(gh)):
                    return ox, oy
            x = line.find(row, x + 1)
    return None


class VmWindowTests(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(BOOT_BIN):
            self.skipTest(f"{BOOT_BIN} is not built")
        self.w = bwtest.Env(prefix="bw-vm-window-")
        # The window's host-key lookup must not reach a real dconf.
        self.w.env.update({"GSETTINGS_BACKEND": "memory", "GDK_BACKEND": "x11",
                           "GTK_A11Y": "none", "GSK_RENDERER": "gl"})
        self.pid = None

    def tearDown(self):
        if self.pid:
            try:
                os.kill(self.pid, 9)
            except ProcessLookupError:
                pass
        self.w.cleanup()

    def ok(self, *args):
        rc, out, err = self.w.run(*args)
        self.assertEqual(rc, 0, f"boxwood-manage {' '.join(map(str, args))} failed:\n{err}")
        return out

    def state(self, name):
        out = self.ok("showvminfo", name, "--machinereadable")
        m = re.search(r'^VMState="([^"]*)"', out, re.M)
        self.assertTrue(m, out)
        return m.group(1)

    def guest_png(self, name, tag):
        png = os.path.join(self.w.root, f"{name}-{tag}.png")
        self.ok("controlvm", name, "screenshotpng", png)
        return rgb(png)

    def root_png(self, tag):
        shot = os.path.join(self.w.root, f"root-{tag}.png")
        subprocess.run(["import", "-window", "root", shot], check=True, timeout=30)
        return rgb(shot)

    def wait_window_shows(self, name, tag, size, timeout=20.0):
        """The guest's screenshot found 1:1 in the window; (x, y)."""
        deadline = time.monotonic() + timeout
        while True:
            guest = self.guest_png(name, tag)
            at = find_in_root(guest, self.root_png(tag)) if guest[:2] == size else None
            if at or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        self.assertIsNotNone(at, f"the window does not show the guest's {tag} screen "
                                 f"({guest[0]}x{guest[1]}) pixel for pixel")
        return at

    def wait_title(self, pattern, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            found = xdo("search", "--onlyvisible", "--name", pattern).split()
            if found or time.monotonic() > deadline:
                return found[0] if found else None
            time.sleep(0.05)

    def test_window(self):
        raw = os.path.join(self.w.root, "disk.raw")
        with open(BOOT_BIN, "rb") as src, open(raw, "wb") as dst:
            dst.write(src.read().ljust(1 << 20, b"\0"))
        vdi = os.path.join(self.w.root, "disk.vdi")
        self.ok("convertfromraw", raw, vdi, "--format", "VDI")
        name = "win"
        self.ok("createvm", "--name", name, "--register")
        self.ok("modifyvm", name, "--acceleration", "software", "--memory", "32", "--vram", "16",
                "--boot1", "disk", "--boot2", "none")
        self.ok("storageattach", name, "--storagectl", "IDE", "--port", "0", "--device", "0",
                "--type", "hdd", "--medium", vdi)
        out = self.ok("startvm", name, "--type", "gui")
        self.pid = int(out.rsplit("process ", 1)[1].split(")")[0])

        wid = self.wait_title(r"^win \[Running\]")
        self.assertTrue(wid, "no window titled 'win [Running] ...'")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rc, text, _ = self.w.run("controlvm", name, "screentext")
            if rc == 0 and LINE1 in text:
                break
            time.sleep(0.3)
        self.assertIn(LINE1, text)

        # Text mode: 720x400, shown 1:1.
        self.wait_window_shows(name, "text", (720, 400))

        # A key typed into the window: the guest switches to 640x480 VBE
        # and draws its pattern; the window follows.
        xdo("windowfocus", "--sync", wid)
        xdo("key", "--window", wid, "space")
        self.wait_window_shows(name, "vbe", (640, 480))

        # Pause from the command line: the window's title says so.
        self.ok("controlvm", name, "pause")
        self.assertTrue(self.wait_title(r"^win \[Paused\]"), "the title does not say Paused")
        self.ok("controlvm", name, "resume")
        self.assertTrue(self.wait_title(r"^win \[Running\]"))

        # Host+Q (Right Ctrl) asks; Return (power off, the default
        # without ACPI) powers the machine off, the service records it and
        # the process ends.
        xdo("windowfocus", "--sync", wid)
        xdo("keydown", "--window", wid, "Control_R")
        xdo("key", "--window", wid, "q")
        xdo("keyup", "--window", wid, "Control_R")
        dialog = self.wait_title("^Close Virtual Machine$")
        self.assertTrue(dialog)
        xdo("windowfocus", "--sync", dialog)
        xdo("key", "--window", dialog, "Return")
        deadline = time.monotonic() + 20
        while self.state(name) != "poweroff" and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.state(name), "poweroff")
        while time.monotonic() < deadline:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            self.fail("boxwood-vm did not exit after the power-off")
        self.pid = None


if __name__ == "__main__":
    sys.exit(bwtest.tap_main(sys.modules[__name__]))
