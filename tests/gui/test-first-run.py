#!/usr/bin/python3
"""The embedded default, end to end under Xvfb with a D-Bus session: in an
empty home, the README's run path (tools/setup run ends in tools/demo)
creates "Boxwood Demo" and opens the manager with it selected; Start boots
it and the GRUB rescue CD's menu appears (controlvm screentext); the
details pane's live preview shows the guest's screen (its mean colour
matches controlvm screenshotpng). TAP output.

Outside the X session this script prepares a private Boxwood world, then
runs itself again inside `xvfb-run dbus-run-session`."""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guitest as g  # noqa: E402

NAME = "Boxwood Demo"
ISO = "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"
SRC = os.environ.get("BW_SOURCE_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))


class Steps(g.StepRunner):
    def __init__(self, env):
        super().__init__()
        self.env = env
        self.demo = None

    def screentext(self):
        rc, out, _ = self.env.run("controlvm", NAME, "screentext")
        return out if rc == 0 else ""

    # -- the steps -------------------------------------------------------

    def demo_opens_selected(self):
        rc, out, _ = self.env.run("list", "vms")
        assert rc == 0 and out.strip() == "", f"the world is not empty: {out!r}"
        self.demo = subprocess.Popen([os.path.join(SRC, "tools", "demo")], env=self.env.env,
                                     cwd=SRC, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.app = g.find_app("boxwood", timeout=60)
        main = g.frame(self.app, "Boxwood", timeout=30)
        g.wait_for(lambda: (NAME, "Powered Off") in g.list_rows(self.app), 20, "the demo listed")
        pyatspi = g.atspi()

        def selected_row():
            lst = g.find(main, "list", "Machines")
            for item in lst:
                labels = g.find_all(item, "label")
                if labels and labels[0].name == NAME:
                    return item.getState().contains(pyatspi.STATE_SELECTED)
            return False
        g.wait_for(selected_row, 10, "the demo's row selected")
        # Its details are shown, and it is ready to start.
        g.wait_find(main, "label", "Settings file")
        g.wait_find(main, "label", contains="grub-rescue-cdrom.iso")
        start = g.find(main, "push button", "Start")
        g.wait_for(lambda: g.sensitive(start), 5, "Start enabled")
        info = dict(line.split("=", 1) for line in
                    self.env.run("showvminfo", NAME, "--machinereadable")[1].splitlines()
                    if "=" in line)
        assert info.get("boot1") == '"dvd"', info.get("boot1")

    def start_shows_grub(self):
        main = g.frame(self.app, "Boxwood")
        g.click(g.find(main, "push button", "Start"))

        def running():
            banner = g.find(main, "label", contains="Could not start")
            assert banner is None, banner.name if banner else ""
            return (NAME, "Running") in g.list_rows(self.app)
        g.wait_for(running, 60, "Running in the list")
        g.wait_for(lambda: "GNU GRUB" in self.screentext(), 180, "the GRUB menu")
        # Down arrow: the menu stops its countdown and the screen holds still.
        rc, _, err = self.env.run("controlvm", NAME, "keyboardputscancode", "e0", "50", "e0", "d0")
        assert rc == 0, err

    def preview_shows_guest(self):
        main = g.frame(self.app, "Boxwood")
        pic = g.wait_find(main, "image", "Screen of the running machine", timeout=20)
        g.wait_for(lambda: "pixels" in (pic.description or ""), 20,
                   "a preview frame (an image description with its size)")
        shots = os.environ.get("BW_GUI_KEEP_SHOTS") or tempfile.mkdtemp(prefix="bw-preview-")
        last = {}

        def matches():
            guest = os.path.join(shots, "guest.png")
            rc, _, err = self.env.run("controlvm", NAME, "screenshotpng", guest)
            assert rc == 0, err
            # The preview asks once a second: give it a frame after ours.
            time.sleep(1.5)
            win = os.path.join(shots, "window.png")
            g.screenshot("Boxwood", win)
            ext = g.wait_for(lambda: (lambda e: e if e.width > 0 else None)(
                pic.queryComponent().getExtents(g.atspi().WINDOW_COORDS)), 5, "extents")
            # Inset by a few pixels on both: the capture and the
            # accessibility extents may disagree by a window border.
            m = 8
            gw, gh = png_size(guest)
            sx, sy = gw / ext.width, gh / ext.height
            want = mean_rgb(guest, (round(m * sx), round(m * sy), round(gw - 2 * m * sx),
                                    round(gh - 2 * m * sy)))
            have = mean_rgb(win, (ext.x + m, ext.y + m, ext.width - 2 * m, ext.height - 2 * m))
            last.update(want=want, have=have, ext=(ext.x, ext.y, ext.width, ext.height))
            blank = have[3] < 4.0  # no contrast: an empty or black picture
            return not blank and all(abs(a - b) < 6.0 for a, b in zip(want[:3], have[:3]))
        try:
            g.wait_for(matches, 40, "the preview to match screenshotpng")
        except AssertionError:
            raise AssertionError(f"preview and guest differ: {last}")
        w, h = last["ext"][2], last["ext"][3]
        assert w <= 320 and h <= 240, f"preview {w}x{h} is not small"

    def poweroff_hides_preview(self):
        main = g.frame(self.app, "Boxwood")
        rc, _, err = self.env.run("controlvm", NAME, "poweroff")
        assert rc == 0, err
        g.wait_for(lambda: (NAME, "Powered Off") in g.list_rows(self.app), 30, "Powered Off")
        g.wait_for(lambda: g.find(main, "image", "Screen of the running machine") is None, 10,
                   "the preview hidden")

    def run(self):
        steps = [
            ("tools/demo in an empty home opens the manager with the demo selected",
             self.demo_opens_selected),
            ("Start boots the demo to the GRUB menu", self.start_shows_grub),
            ("the details pane previews the running guest's screen", self.preview_shows_guest),
            ("power off from the command line hides the preview", self.poweroff_hides_preview),
        ]
        return self.run_steps(steps)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def mean_rgb(path, crop=None):
    """Mean red, green, blue (0..255) of a PNG or a part of it, and the
    standard deviation of the grey level (ImageMagick decodes)."""
    args = ["convert", path]
    if crop:
        x, y, w, h = crop
        args += ["-crop", f"{w}x{h}+{x}+{y}", "+repage"]
    raw = subprocess.run(args + ["-depth", "8", "rgb:-"], stdout=subprocess.PIPE,
                         check=True, timeout=30).stdout
    n = len(raw) // 3
    assert n > 0, f"empty image {path} {crop}"
    sums = [sum(raw[c::3]) for c in range(3)]
    mean = [s / n for s in sums]
    grey = [(raw[i] + raw[i + 1] + raw[i + 2]) / 3 for i in range(0, 3 * n, 3)]
    gm = sum(grey) / n
    sd = (sum((v - gm) ** 2 for v in grey) / n) ** 0.5
    return mean + [sd]


def inner(root):
    env = g.reopen_world(root)
    steps = Steps(env)
    try:
        rc = steps.run()
    finally:
        if steps.demo is not None:
            steps.demo.terminate()
            try:
                out, _ = steps.demo.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                steps.demo.kill()
                out, _ = steps.demo.communicate()
            for line in (out or "").splitlines():
                if "dbus-daemon" not in line:
                    print("# demo: " + line)
        for pid in g.own_processes(env.runtime, "boxwood-vm"):
            os.kill(pid, 9)
    return rc


def outer():
    missing = g.missing_tools()
    if missing:
        print(f"1..0 # SKIP missing {', '.join(missing)}")
        return 0
    if not os.path.isfile(ISO):
        print(f"1..0 # SKIP {ISO} is missing (package grub-rescue-pc)")
        return 0
    if not os.access(g.VM, os.X_OK):
        print(f"1..0 # SKIP boxwood-vm is not built ({g.VM})")
        return 0
    env = g.bwtest.Env(prefix="bw-first-run-")
    try:
        env.env.update({"GSETTINGS_BACKEND": "memory", "BOXWOOD_VM": g.VM,
                        "BOXWOOD_MANAGE": g.bwtest.MANAGE, "BOXWOOD_MANAGER": g.MANAGER,
                        "NO_AT_BRIDGE": "0", "GTK_A11Y": "atspi"})
        return g.run_inner(env, __file__, [], timeout=420)
    finally:
        g.close_world(env)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inner":
        sys.exit(inner(sys.argv[2]))
    sys.exit(outer())
