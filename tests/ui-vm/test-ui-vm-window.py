#!/usr/bin/python3
"""The VM window under Xvfb (run by meson inside xvfb-run): a synthetic
640x480 screen and a fake controller (ui-vm-harness). Checks that the
screen shows the source pixel for pixel, that keys typed with xdotool
reach the controller as PS/2 set-2 codes (auto-repeat dropped, held keys
released when focus leaves), that an unchanged screen is not rendered
again, that a change uploads only its rectangle, host-key capture and
shortcuts, and the title following the machine's state. TAP output."""

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time

HARNESS = sys.argv[1]
results = []


def check(title, ok, detail=""):
    results.append((title, bool(ok), detail))


class Harness:
    def __init__(self, scale=1):
        env = dict(os.environ, GTK_A11Y="none", GDK_BACKEND="x11", GSK_RENDERER="gl",
                   GDK_SCALE=str(scale))
        self.proc = subprocess.Popen([HARNESS], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=sys.stderr, text=True, env=env, bufsize=1)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def send(self, cmd):
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()

    def expect(self, prefix, timeout=10.0):
        """Lines up to the first starting with prefix; returns (that, skipped)."""
        skipped = []
        end = time.time() + timeout
        while time.time() < end:
            try:
                line = self.lines.get(timeout=max(0.05, end - time.time()))
            except queue.Empty:
                break
            if line is None:
                break
            if line.startswith(prefix):
                return line, skipped
            skipped.append(line)
        return None, skipped

    def ask(self, cmd, prefix):
        self.send(cmd)
        line, skipped = self.expect(prefix)
        return line, skipped

    def collect(self, settle=0.6):
        """Everything printed within settle seconds of the last line."""
        out = []
        while True:
            try:
                line = self.lines.get(timeout=settle)
            except queue.Empty:
                return out
            if line is None:
                return out
            out.append(line)

    def stats(self):
        line, _ = self.ask("stats", "STATS ")
        return [int(v) for v in line.split()[1:]] if line else None


def xdo(*args):
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=20).stdout


def pattern(x, y):
    r = (x // 40) * 16 % 256
    g = (y // 30) * 16 % 256
    b = 255 if ((x // 40 + y // 30) & 1) else 0
    return r, g, b


def grab_area(tmp, x, y, w, h):
    shot = os.path.join(tmp, "shot.png")
    subprocess.run(["import", "-window", "root", shot], check=True, timeout=30)
    raw = subprocess.run(["convert", shot, "-crop", "%dx%d+%d+%d" % (w, h, x, y), "-depth", "8",
                          "rgb:-"], check=True, capture_output=True, timeout=30).stdout
    return raw


def sc(lines):
    return [l[3:] for l in lines if l.startswith("SC ")]


def main():
    tmp = tempfile.mkdtemp(prefix="bw-ui-vm-")
    h = Harness()
    ready, _ = h.expect("READY", timeout=30)
    check("the window renders its first frame", ready)
    if not ready:
        return finish(h)
    wid = xdo("search", "--sync", "--onlyvisible", "--name", r"^Test \[Running\] - Boxwood$")
    wid = wid.split()[0] if wid.split() else None
    check("title is 'Test [Running] - Boxwood'", wid)
    if not wid:
        return finish(h)
    xdo("windowfocus", "--sync", wid)
    time.sleep(0.3)

    # Screen contents, 1:1.
    geom, _ = h.ask("geometry", "GEOM")
    gx, gy, gw, gh = [int(v) for v in geom.split()[1:]]
    pos = xdo("getwindowgeometry", wid)
    wx, wy = [int(v) for v in pos.split("Position:")[1].split()[0].split(",")]
    check("the display area is 640x480 at 1:1", (gw, gh) == (640, 480), geom)
    raw = grab_area(tmp, wx + gx, wy + gy, 640, 480)
    bad = 0
    for y in range(480):
        for x in range(640):
            i = (y * 640 + x) * 3
            want = pattern(x, y)
            if any(abs(raw[i + k] - want[k]) > 2 for k in range(3)):
                bad += 1
    check("the screenshot's display area matches the source pixel for pixel", bad == 0,
          "%d pixels differ" % bad)

    # Keys.
    h.collect(0.3)
    xdo("key", "--window", wid, "a", "Return", "Up", "KP_Add", "KP_Enter", "Print", "Pause",
        "Delete", "Super_L", "Escape", "F7")
    xdo("keydown", "--window", wid, "Shift_L")
    xdo("key", "--window", wid, "z")
    xdo("keyup", "--window", wid, "Shift_L")
    got = sc(h.collect())
    want = ["1c", "f0 1c", "5a", "f0 5a", "e0 75", "e0 f0 75", "79", "f0 79", "e0 5a",
            "e0 f0 5a", "e0 12 e0 7c", "e0 f0 7c e0 f0 12", "e1 14 77 e1 f0 14 f0 77",
            "e0 71", "e0 f0 71", "e0 1f", "e0 f0 1f", "76", "f0 76", "83", "f0 83",
            "12", "1a", "f0 1a", "f0 12"]
    check("typed keys arrive as set-2 make and break codes", got == want,
          "got %s" % got)

    # Host auto-repeat: three presses, one release.
    xdo("keydown", "--window", wid, "b")
    xdo("keydown", "--window", wid, "b")
    xdo("keydown", "--window", wid, "b")
    xdo("keyup", "--window", wid, "b")
    got = sc(h.collect())
    check("host auto-repeat is dropped", got == ["32", "f0 32"], "got %s" % got)

    # Idle: no renders, no uploads.
    before = h.stats()
    time.sleep(2.0)
    after = h.stats()
    check("an unchanged screen is not rendered or uploaded again for 2 s",
          after[1] == before[1] and after[2] == before[2] and after[0] > before[0],
          "before %s after %s" % (before, after))

    # A change uploads its rectangle only and renders once.
    before = h.stats()
    h.ask("damage 100 60 40 30 ff0000", "OK")
    time.sleep(0.5)
    after = h.stats()
    check("a 40x30 change is one upload of 1200 pixels and one render",
          after[2] - before[2] == 1 and after[3] - before[3] == 1200 and after[1] - before[1] == 1,
          "before %s after %s" % (before, after))
    raw = grab_area(tmp, wx + gx + 100, wy + gy + 60, 40, 30)
    check("the change shows", all(raw[i:i + 3] == b"\xff\x00\x00" for i in range(0, len(raw), 3)))

    # Host key: press and release alone captures, again releases. xdotool
    # presses Left Ctrl along with Right Ctrl (it satisfies the Control
    # modifier first), so the host key here is Menu, set the way the
    # preferences' host-key setting is.
    h.ask("hostkey Menu", "OK")
    h.collect(0.3)
    xdo("key", "--window", wid, "Menu")
    cap, seen = h.ask("captured", "CAPTURED")
    title, _ = h.ask("title", "TITLE")
    check("the host key captures", cap == "CAPTURED 1", cap)
    check("the title says captured and names the release key",
          title and "captured" in title and "Menu" in title, title)
    seen += h.collect(0.3)
    xdo("mousemove_relative", "--", "30", "20")
    time.sleep(0.3)
    xdo("click", "1")
    moves = h.collect()
    dx = sum(int(l.split()[1]) for l in moves if l.startswith("MOUSE"))
    dy = sum(int(l.split()[2]) for l in moves if l.startswith("MOUSE"))
    buttons = [l.split()[4] for l in moves if l.startswith("MOUSE")]
    check("captured pointer motion goes to the guest as relative motion",
          abs(dx - 30) <= 1 and abs(dy - 20) <= 1, "dx %d dy %d (%s)" % (dx, dy, moves))
    check("captured clicks go to the guest", buttons[-2:] == ["1", "0"], "%s" % moves)
    xdo("key", "--window", wid, "Menu")
    cap, seen2 = h.ask("captured", "CAPTURED")
    check("the host key releases", cap == "CAPTURED 0", cap)
    check("the host key never reaches the guest", not sc(seen + moves + seen2 + h.collect(0.3)),
          "%s" % (seen + moves + seen2))

    # Host+P pauses through the controller; the title follows.
    h.collect(0.3)
    xdo("keydown", "--window", wid, "Menu")
    xdo("key", "--window", wid, "p")
    xdo("keyup", "--window", wid, "Menu")
    out = h.collect()
    title, _ = h.ask("title", "TITLE")
    check("Host+P pauses and the title says so",
          "CALL pause" in out and title == "TITLE Test [Paused] - Boxwood" and not sc(out),
          "%s %s" % (out, title))
    h.ask("state running", "OK")
    h.collect(0.3)
    xdo("keydown", "--window", wid, "Menu")
    xdo("key", "--window", wid, "Delete")
    xdo("keyup", "--window", wid, "Menu")
    got = sc(h.collect())
    check("Host+Del sends Ctrl+Alt+Del", got == ["14 11 e0 71 e0 f0 71 f0 11 f0 14"],
          "got %s" % got)
    # The Input menu.
    h.collect(0.3)
    seen = []
    for action in ("vm.send-ctrl-alt-fn 2", "vm.send-ctrl-alt-backspace", "vm.send-ctrl-alt-del"):
        seen += h.ask("action " + action, "OK")[1]
    got = sc(seen + h.collect())
    check("Input menu: Ctrl+Alt+F2, Ctrl+Alt+Backspace, Ctrl+Alt+Del",
          got == ["14 11 06 f0 06 f0 11 f0 14", "14 11 66 f0 66 f0 11 f0 14",
                  "14 11 e0 71 e0 f0 71 f0 11 f0 14"], "got %s" % got)
    _, out = h.ask("action vm.reset", "OK")
    check("Machine > Reset calls the controller", "CALL reset" in out, "%s" % out)

    # Scale to window: the 4:3 screen letterboxed in the area, aspect kept.
    h.ask("scale fit", "OK")
    xdo("windowsize", "--sync", wid, "900", "524")
    time.sleep(0.8)
    geom2, _ = h.ask("geometry", "GEOM")
    ax, ay, aw, ah = [int(v) for v in geom2.split()[1:]]
    raw = grab_area(tmp, wx + ax, wy + ay, aw, ah)
    iw = ah * 640 // 480
    x0 = (aw - iw) // 2

    def px(x, y):
        i = (y * aw + x) * 3
        return tuple(raw[i:i + 3])
    bars = px(2, ah // 2) == (0, 0, 0) and px(aw - 3, ah // 2) == (0, 0, 0)
    # Sample the middles of pattern blocks (away from filtered edges).
    bad = 0
    for by in range(1, 15, 3):
        for bx in range(1, 15, 3):
            gx_, gy_ = bx * 40 + 20, by * 30 + 15
            sx, sy = x0 + gx_ * iw // 640, gy_ * ah // 480
            got_px, want_px = px(sx, sy), pattern(gx_, gy_)
            if any(abs(got_px[k] - want_px[k]) > 8 for k in range(3)):
                bad += 1
    check("scale to window keeps the aspect ratio with black bars",
          aw > iw + 20 and bars and bad == 0, "area %dx%d image %d bars %s bad %d"
          % (aw, ah, iw, bars, bad))
    h.ask("scale 1:1", "OK")

    title, _ = h.ask("title", "TITLE")
    check("a state change from elsewhere shows in the title",
          title == "TITLE Test [Running] - Boxwood", title)

    # Activity lights: on when the machine reports disk or CD activity,
    # off again by themselves, without rendering the guest screen again.
    before = h.stats()
    h.ask("activity disk", "OK")
    on, _ = h.ask("leds", "LEDS")
    h.ask("activity cd", "OK")
    both, _ = h.ask("leds", "LEDS")
    deadline = time.time() + 5
    off = None
    while time.time() < deadline:
        off, _ = h.ask("leds", "LEDS")
        if off == "LEDS 0 0":
            break
        time.sleep(0.1)
    after = h.stats()
    check("activity lights go on and off by themselves",
          on == "LEDS 1 0" and both == "LEDS 1 1" and off == "LEDS 0 0",
          "%s / %s / %s" % (on, both, off))
    # (The window may draw the GL area's texture again along with the
    # status bar, but nothing is uploaded and nothing keeps drawing.)
    check("activity lights upload nothing and do not keep the screen drawing",
          before and after and after[2] == before[2] and after[1] - before[1] <= 4,
          "stats %s -> %s" % (before, after))

    # Held keys are released when focus leaves.
    xdo("windowfocus", "--sync", wid)
    h.collect(0.3)
    xdo("keydown", "--window", wid, "Control_L")
    xdo("keydown", "--window", wid, "Alt_L")
    _, held = h.ask("blur", "OK")
    time.sleep(0.3)
    other = xdo("search", "--sync", "--onlyvisible", "--name", "^Other$").split()
    if other:
        xdo("windowfocus", "--sync", other[0])
    got = sc(held + h.collect(1.0))
    xdo("keyup", "Alt_L")
    xdo("keyup", "Control_L")
    check("held keys are released when focus leaves",
          got == ["14", "11", "f0 11 f0 14"], "got %s" % got)

    # The window's own screenshot.
    png = os.path.join(tmp, "guest.png")
    ok, _ = h.ask("screenshot " + png, "OK")
    size = subprocess.run(["identify", "-format", "%wx%h", png], capture_output=True,
                          text=True).stdout if ok else ""
    check("Take Screenshot writes the guest screen as a 640x480 PNG", size == "640x480", size)

    # A blank guest screen (no mode) is black, and has no screenshot.
    h.ask("resize 0 0", "OK")
    time.sleep(0.5)
    geom3, _ = h.ask("geometry", "GEOM")
    bx, by, bw, bh = [int(v) for v in geom3.split()[1:]]
    # The middle: the "Other" window from the focus test covers the top left.
    raw = grab_area(tmp, wx + bx + bw // 2, wy + by + bh // 2, 64, 64) if bw and bh else b"?"
    err, _ = h.ask("screenshot " + png, "")
    check("a blank guest screen shows black and has nothing to save",
          bw >= 64 and bh >= 64 and raw == bytes(64 * 64 * 3) and err.startswith("ERR"),
          "%s %s %s" % (geom3, err, raw[:12]))
    h.ask("resize 640 480", "OK")

    # Host+Q asks; Escape keeps the machine running, Return (the default
    # without ACPI: power off) powers it off and the window closes.
    def host_q():
        xdo("windowfocus", "--sync", wid)
        xdo("keydown", "--window", wid, "Menu")
        xdo("key", "--window", wid, "q")
        xdo("keyup", "--window", wid, "Menu")
        found = xdo("search", "--sync", "--onlyvisible", "--name", "^Close Virtual Machine$")
        return found.split()[0] if found.split() else None

    dialog = host_q()
    if dialog:
        xdo("windowfocus", "--sync", dialog)
        xdo("key", "--window", dialog, "Escape")
    out = h.collect()
    title, _ = h.ask("title", "TITLE")
    check("Host+Q asks before closing; cancel keeps the machine running",
          dialog and "CALL poweroff" not in out and title == "TITLE Test [Running] - Boxwood",
          "%s %s" % (out, title))
    dialog = host_q()
    if dialog:
        xdo("windowfocus", "--sync", dialog)
        xdo("key", "--window", dialog, "Return")
    out = h.collect()
    check("confirming powers the machine off", dialog and "CALL poweroff" in out, "%s" % out)
    try:
        h.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    check("the window closes when the machine is powered off", h.proc.returncode == 0,
          "exit %s" % h.proc.returncode)

    # A second harness: power off from elsewhere closes the window too.
    h = Harness()
    h.expect("READY", timeout=30)
    h.send("state poweroff")
    try:
        h.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    check("the window closes when the machine is powered off", h.proc.returncode == 0,
          "exit %s" % h.proc.returncode)

    # HiDPI: at scale 2, 1:1 shows every guest pixel as 2x2 device pixels.
    h = Harness(scale=2)
    ready, _ = h.expect("READY", timeout=30)
    wid2 = xdo("search", "--sync", "--onlyvisible", "--name", r"^Test \[Running\] - Boxwood$")
    geom, _ = h.ask("geometry", "GEOM")
    if ready and wid2.split() and geom and geom != "GEOM none":
        gx, gy, gw, gh = [int(v) for v in geom.split()[1:]]
        pos = xdo("getwindowgeometry", wid2.split()[0])
        wx, wy = [int(v) for v in pos.split("Position:")[1].split()[0].split(",")]
        raw = grab_area(tmp, wx + 2 * gx, wy + 2 * gy, 1280, 960)
        bad = 0
        for y in range(0, 960):
            for x in range(0, 1280, 3):
                i = (y * 1280 + x) * 3
                want = pattern(x // 2, y // 2)
                if any(abs(raw[i + k] - want[k]) > 2 for k in range(3)):
                    bad += 1
        check("HiDPI (scale 2): 1:1 shows each guest pixel as 2x2 device pixels, sharp",
              (gw, gh) == (640, 480) and bad == 0, "%s, %d pixels differ" % (geom, bad))
    else:
        check("HiDPI (scale 2): the window comes up", False, "%s %s" % (ready, geom))
    return finish(h)


def finish(h):
    if h.proc.poll() is None:
        try:
            h.send("quit")
        except BrokenPipeError:
            pass
        try:
            h.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            h.proc.kill()
    print("1..%d" % len(results))
    for i, (title, ok, detail) in enumerate(results, 1):
        print("%s %d - %s%s" % ("ok" if ok else "not ok", i, title,
                                "" if ok or not detail else " # " + detail.replace("\n", " ")))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
