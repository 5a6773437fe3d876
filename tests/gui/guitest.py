"""Helpers for the manager's GUI tests and screenshots: a private Boxwood
world (tests/manage/bwtest.py), a small ISO 9660 image, the manager under
Xvfb with a D-Bus session, and AT-SPI steps as a person would take them
(see ../../../shared/TESTING.md for what works with GTK 4.8 here)."""

import os
import shutil
import struct
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "manage"))
import bwtest  # noqa: E402

BUILD_ROOT = bwtest.BUILD_ROOT
MANAGER = os.path.join(BUILD_ROOT, "app", "manager", "boxwood")
VM = os.path.join(BUILD_ROOT, "app", "vm", "boxwood-vm")
GUI_SESSION = os.path.join(BUILD_ROOT, "tests", "gui", "gui-session")
XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "dbus-run-session", "--"]


def reopen_world(root):
    """The private world the outer run made at root (bwtest.Env), seen from
    the inner run under Xvfb, whose environment already points into it."""
    env = bwtest.Env.__new__(bwtest.Env)
    env.root = root
    env.home = os.path.join(root, "home")
    env.config = os.path.join(root, "config")
    env.runtime = os.path.join(root, "run")
    env.env = dict(os.environ)
    return env


def run_inner(env, script, args, timeout):
    """Runs `script --inner ROOT ARGS...` under Xvfb with a D-Bus session in
    env's world; passes its TAP output on, its stderr as comments (less the
    session bus's noise), and returns its exit status."""
    t0 = time.monotonic()
    r = subprocess.run(XVFB + ["/usr/bin/python3", os.path.abspath(script), "--inner", env.root]
                       + list(args), env=env.env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=timeout)
    sys.stdout.write(r.stdout)
    print(f"# GUI run took {time.monotonic() - t0:.1f} s")
    for line in r.stderr.splitlines():
        if "dbus-daemon" not in line and "SpiRegistry" not in line:
            print("# " + line)
    return r.returncode


def close_world(env):
    """Stops what a GUI run left behind in env's world (a VM it started,
    the service) and removes the world."""
    for pid in own_processes(env.runtime, "boxwood-vm"):
        os.kill(pid, 9)
    env.stop_service()
    env.cleanup()


class StepRunner:
    """A GUI test's steps as TAP, stopping at the first failure (later steps
    build on it). A step may return a note: it is reported skipped with it.
    On a failure: the AT-SPI tree of self.app with BW_GUI_DUMP set, its
    windows' screenshots into $BW_GUI_FAIL_SHOTS."""

    def __init__(self):
        self.n = 0
        self.failed = False
        self.app = None

    def step(self, title, fn):
        self.n += 1
        if self.failed:
            print(f"ok {self.n} - {title} # SKIP an earlier step failed", flush=True)
            return
        try:
            note = fn()
            print(f"ok {self.n} - {title}" + (f" # SKIP {note}" if note else ""), flush=True)
        except Exception as e:  # report and stop: later steps build on this one
            self.failed = True
            print(f"not ok {self.n} - {title}", flush=True)
            for line in traceback.format_exception(type(e), e, e.__traceback__):
                for part in line.rstrip().splitlines():
                    print("# " + part, flush=True)
            try:  # the application may be gone
                shots = os.environ.get("BW_GUI_FAIL_SHOTS")
                if shots and self.app is not None:
                    for i, w in enumerate(w for w in self.app if w is not None):
                        screenshot(w.name, os.path.join(shots, f"fail-{self.n}-{i}.png"))
                if self.app is not None and os.environ.get("BW_GUI_DUMP"):
                    for line in dump(self.app):
                        print("# " + line, flush=True)
            except Exception as e2:
                print(f"# (no screenshots or dump: {e2})", flush=True)

    def run_steps(self, steps):
        """steps: (title, function) pairs. Returns the exit status."""
        print(f"1..{len(steps)}", flush=True)
        for title, fn in steps:
            self.step(title, fn)
        return 1 if self.failed else 0


def missing_tools():
    """What this machine lacks for a GUI run (empty when all is there)."""
    missing = [t for t in ("xvfb-run", "dbus-run-session", "xdotool", "import")
               if shutil.which(t) is None]
    probe = subprocess.run(["/usr/bin/python3", "-c", "import pyatspi"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        missing.append("python3-pyatspi")
    return missing


def write_iso(path, label):
    """An ISO 9660 image whose primary volume descriptor carries label:
    xorriso when installed, else the few sectors written here (system
    area, primary descriptor with a root directory, terminator)."""
    if shutil.which("xorriso"):
        src = path + ".d"
        os.makedirs(src, exist_ok=True)
        with open(os.path.join(src, "README.TXT"), "w") as f:
            f.write("Boxwood test medium\n")
        r = subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-V", label, "-o", path, src],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        shutil.rmtree(src, ignore_errors=True)
        if r.returncode == 0:
            return
    sector = 2048

    def both16(v):
        return struct.pack("<H", v) + struct.pack(">H", v)

    def both32(v):
        return struct.pack("<I", v) + struct.pack(">I", v)

    root = bytearray(34)
    root[0] = 34
    root[2:10] = both32(18)
    root[10:18] = both32(sector)
    root[25] = 2  # directory
    root[28:32] = both16(1)
    root[32] = 1
    pvd = bytearray(sector)
    pvd[0] = 1
    pvd[1:6] = b"CD001"
    pvd[6] = 1
    pvd[8:40] = b" " * 32
    pvd[40:72] = label.encode("ascii")[:32].ljust(32, b" ")
    pvd[80:88] = both32(19)
    pvd[120:124] = both16(1)
    pvd[124:128] = both16(1)
    pvd[128:132] = both16(sector)
    pvd[156:190] = root
    pvd[881] = 1
    term = bytearray(sector)
    term[0] = 255
    term[1:6] = b"CD001"
    term[6] = 1
    rootdir = bytearray(sector)
    dot = bytearray(root)
    rootdir[0:34] = dot
    rootdir[34:68] = dot
    rootdir[34 + 33] = 1
    with open(path, "wb") as f:
        f.write(bytes(16 * sector) + bytes(pvd) + bytes(term) + bytes(rootdir))


# ---- inside the Xvfb + D-Bus session --------------------------------------

def atspi():
    import pyatspi
    return pyatspi


def find_app(name="boxwood", timeout=60.0):
    pyatspi = atspi()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            if app is not None and app.name == name:
                return app
        time.sleep(0.1)
    raise AssertionError(f"application {name} did not appear on the accessibility bus")


def wait_for(fn, timeout=10.0, what="condition"):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = fn()
        except Exception:  # the tree changes under us while GTK rebuilds it
            last = None
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def showing(node):
    """GTK 4.8 sets no SHOWING state; VISIBLE is the widget's visible
    property (a hidden GtkStack page still counts)."""
    pyatspi = atspi()
    try:
        return node.getState().contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def focused(node):
    pyatspi = atspi()
    try:
        return node.getState().contains(pyatspi.STATE_FOCUSED)
    except Exception:
        return False


def sensitive(node):
    pyatspi = atspi()
    return node.getState().contains(pyatspi.STATE_SENSITIVE)


def name_matches(have, want):
    """GTK 4.8 joins an explicit accessible label and a button's own label
    ("Choose folder Choose…") and shows a button's mnemonic raw
    ("_Cancel Cancel"): accept the wanted words at either end."""
    have = have or ""
    return have == want or have.startswith(want + " ") or have.endswith(" " + want)


def find(root, role, name=None, visible=True, contains=None):
    """The first descendant with this role (and name), depth first."""
    pyatspi = atspi()

    def pred(n):
        try:
            if n.getRoleName() != role:
                return False
            if name is not None and not name_matches(n.name, name):
                return False
            if contains is not None and contains not in (n.name or ""):
                return False
            return not visible or showing(n)
        except Exception:
            return False
    return pyatspi.findDescendant(root, pred)


def find_all(root, role, visible=True):
    pyatspi = atspi()
    return pyatspi.findAllDescendants(
        root, lambda n: n.getRoleName() == role and (not visible or showing(n)))


def wait_find(root, role, name=None, timeout=10.0, contains=None):
    return wait_for(lambda: find(root, role, name, contains=contains), timeout,
                    f"{role} '{name or contains}'")


def frame(app, title, timeout=10.0):
    return wait_for(lambda: next((w for w in app if w is not None and w.name == title
                                  and showing(w)), None), timeout, f"window '{title}'")


def click(node):
    """The click action of node, or of the first descendant that has one
    (a GtkMenuButton is a wrapper around a toggle button)."""
    pyatspi = atspi()
    target = pyatspi.findDescendant(node, lambda n: _has_click(n)) if not _has_click(node) else node
    if target is None:
        raise AssertionError(f"{node.getRoleName()} '{node.name}' has no click action")
    action = target.queryAction()
    for i in range(action.nActions):
        if action.getName(i) == "click":
            action.doAction(i)
            return


def _has_click(node):
    try:
        action = node.queryAction()
        return any(action.getName(i) == "click" for i in range(action.nActions))
    except Exception:
        return False


def set_text(node, text):
    node.queryEditableText().setTextContents(text)


def text_of(node):
    t = node.queryText()
    return t.getText(0, t.characterCount)


def list_rows(app):
    """(name, state) of each row of the machine list."""
    lst = find(app, "list", "Machines")
    rows = []
    if lst is None:
        return rows
    for item in lst:
        labels = find_all(item, "label")
        if len(labels) >= 2:
            rows.append((labels[0].name, labels[1].name))
    return rows


def window_id(title):
    out = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name",
                          f"^{title}$"], stdout=subprocess.PIPE, text=True, timeout=20)
    return out.stdout.split()[-1]


def key(title, *keys):
    wid = window_id(title)
    subprocess.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
    subprocess.run(["xdotool", "key"] + list(keys), timeout=10)


def press(title, *keys):
    """Keys to window title as XTEST input, as a person types them: the
    window gets the X input focus first (--sync waits until it has it).
    Callers wait for what the keys do (a focused control, a page, a
    window) before the next keys: a key sent while GTK is still switching
    pages or mapping a dialog goes to whatever had the focus before."""
    wid = window_id(title)
    subprocess.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
    for k in keys:
        subprocess.run(["xdotool", "key", k], timeout=10)


def focused_node(root):
    """The control that has the keyboard focus under root, or None."""
    pyatspi = atspi()
    return pyatspi.findDescendant(
        root, lambda n: focused(n) and n.getRoleName() not in ("frame", "dialog", "panel",
                                                                "filler", "window"))


def wait_focus(root, role, name=None, timeout=10.0):
    """Wait until the focused control under root has this role (and name)."""
    def check():
        n = focused_node(root)
        return n is not None and n.getRoleName() == role and (
            name is None or name_matches(n.name, name))
    return wait_for(check, timeout, f"focus on {role} '{name}'")


def selected_page(dialog):
    """The selected row of a stack sidebar: the label of the page shown."""
    pyatspi = atspi()
    for lst in find_all(dialog, "list"):
        for item in lst:
            try:
                if item.getState().contains(pyatspi.STATE_SELECTED):
                    labels = find_all(item, "label")
                    return labels[0].name if labels else None
            except Exception:
                continue
    return None


def screenshot(title, path):
    """The window itself: without a compositor a root-window capture of
    GTK's ARGB windows comes out black on Xvfb."""
    wid = window_id(title)
    time.sleep(0.3)  # let the last frame land
    subprocess.run(["import", "-window", wid, path], check=True, timeout=30)


def dump(node, depth=0, out=None, limit=400):
    """Role and name of every node, indented: printed when a step fails."""
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    try:
        out.append("  " * depth + f"[{node.getRoleName()}] {node.name!r}")
        for child in node:
            if child is not None:
                dump(child, depth + 1, out, limit)
    except Exception as e:
        out.append("  " * depth + f"(gone: {e})")
    return out


def type_into(title, mnemonic, text):
    """Type text into the field of window title whose label has the
    mnemonic key (Alt+key focuses it, as a keyboard user would), replacing
    what is there, then Tab out (spin buttons take typed text then).
    GTK 4.8 reports no usable extents for spin buttons, so no mouse."""
    wid = window_id(title)
    subprocess.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
    # XTEST input to the focused window: events sent to a window id
    # (--window) are marked synthetic and GTK drops some of them.
    for keys in (["key", "alt+" + mnemonic], ["key", "ctrl+a"],
                 ["type", "--delay", "20", text], ["key", "Tab"]):
        subprocess.run(["xdotool"] + keys, timeout=10)


def click_at(title, node):
    """A real pointer click in the middle of node (for widgets without a
    click action, such as the rows of a stack sidebar)."""
    pyatspi = atspi()
    wid = window_id(title)
    ext = wait_for(lambda: (lambda e: e if e.width > 0 else None)(
        node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)), 5, "extents")
    subprocess.run(["xdotool", "mousemove", "--window", wid, str(ext.x + ext.width // 2),
                    str(ext.y + ext.height // 2), "click", "1"], timeout=10)


def own_processes(runtime_dir, program):
    """Processes of program started in this test's world (found by their
    XDG_RUNTIME_DIR), so that only our own are ever stopped."""
    pids = []
    want = ("XDG_RUNTIME_DIR=" + runtime_dir).encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0]
            if not argv0.endswith(program.encode()):
                continue
            with open(f"/proc/{entry}/environ", "rb") as f:
                if want in f.read().split(b"\0"):
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


def on_screen(node):
    """GTK 4.8 has no SHOWING state; a widget that is drawn has a size."""
    pyatspi = atspi()
    try:
        return node.queryComponent().getExtents(pyatspi.WINDOW_COORDS).width > 0
    except Exception:
        return False
