#!/usr/bin/python3
"""Screenshots of the manager for README.md and the AppStream metainfo:
the main window, each page of the new-machine wizard and each page of the
settings dialog, taken from the real program under Xvfb in a private
Boxwood world with a few example machines.

    BW_BUILD_ROOT=build tests/gui/make-screenshots.py [OUTPUT_DIR]

OUTPUT_DIR defaults to data/screenshots in the source tree."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guitest as g  # noqa: E402

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MACHINES = [
    ("Debian 12", "Debian_64", ["--memory", "2048", "--cpus", "2",
                                "--description", "Build machine for the nightly packages."]),
    ("Windows 10", "Windows10_64", ["--memory", "4096"]),
    ("FreeBSD 14", "FreeBSD_64", []),
    ("FreeDOS", "DOS", ["--memory", "32"]),
]


def inner(out_dir, iso):
    manager = subprocess.Popen([g.MANAGER], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        app = g.find_app()
        main = g.frame(app, "Boxwood")
        g.wait_for(lambda: len(g.list_rows(app)) == len(MACHINES), 10, "machines")
        g.wait_find(main, "label", contains="Build machine")
        g.screenshot("Boxwood", os.path.join(out_dir, "manager-window.png"))

        g.click(g.find(main, "push button", "New"))
        wiz = g.frame(app, "New Machine")
        g.set_text(g.wait_find(wiz, "text", "Name"), "Debian Installer")
        g.set_text(g.find(wiz, "text", "ISO image"), iso)
        g.wait_find(wiz, "label", contains="looks like")
        g.screenshot("New Machine", os.path.join(out_dir, "wizard-name.png"))
        g.click(g.find(wiz, "push button", "Next"))
        g.wait_for(lambda: g.focused(g.find(wiz, "spin button", "Memory (MiB)")), 5, "hardware")
        g.screenshot("New Machine", os.path.join(out_dir, "wizard-hardware.png"))
        g.click(g.find(wiz, "push button", "Next"))
        g.wait_for(lambda: g.focused(g.find(wiz, "check box", "Create a new disk image")), 5,
                   "disk")
        g.screenshot("New Machine", os.path.join(out_dir, "wizard-disk.png"))
        g.click(g.find(wiz, "push button", "Next"))
        g.wait_for(lambda: g.focused(g.find(wiz, "push button", "Create")), 5, "summary")
        g.screenshot("New Machine", os.path.join(out_dir, "wizard-summary.png"))
        g.click(g.find(wiz, "push button", "Cancel"))
        g.wait_for(lambda: not any(w is not None and w.name == "New Machine" for w in app), 5,
                   "wizard closed")

        g.click(g.find(main, "push button", "Settings"))
        title = "Debian 12 — Settings"
        dlg = g.frame(app, title)
        for page, label in (("general", "General"), ("system", "System"), ("display", "Display"),
                            ("storage", "Storage"), ("serial", "Serial Ports")):
            g.click_at(title, g.wait_find(dlg, "label", label))
            subprocess.run(["xdotool", "sleep", "0.3"])  # the page switch is drawn
            g.screenshot(title, os.path.join(out_dir, f"settings-{page}.png"))
        g.click(g.find(dlg, "push button", "Cancel"))
    finally:
        manager.terminate()
        manager.wait(timeout=10)


def outer(out_dir):
    missing = g.missing_tools()
    if missing:
        sys.exit(f"make-screenshots: missing {', '.join(missing)}")
    os.makedirs(out_dir, exist_ok=True)
    env = g.bwtest.Env(prefix="bw-shots-")
    try:
        for name, ostype, extra in MACHINES:
            rc, _, err = env.run("createvm", "--name", name, "--ostype", ostype, "--register")
            if rc != 0:
                sys.exit(f"createvm {name}: {err}")
            if extra:
                rc, _, err = env.run("modifyvm", name, *extra)
                if rc != 0:
                    sys.exit(f"modifyvm {name}: {err}")
        serial_log = os.path.join(env.machine_folder, "Debian 12", "serial.log")
        env.run("modifyvm", "Debian 12", "--uart1", "0x3f8", "4", "--uartmode1", "file",
                serial_log)
        disk = os.path.join(env.machine_folder, "Debian 12", "Debian 12.vdi")
        env.run("createmedium", "disk", "--filename", disk, "--size", "20480")
        env.run("storageattach", "Debian 12", "--storagectl", "IDE", "--port", "0", "--device",
                "0", "--type", "hdd", "--medium", disk)
        iso = os.path.join(env.root, "debian-12.4.0-amd64-netinst.iso")
        g.write_iso(iso, "Debian 12.4.0 amd64 n")
        env.env.update({"GSETTINGS_BACKEND": "memory", "LC_ALL": "C.UTF-8"})
        r = subprocess.run(g.XVFB + ["/usr/bin/python3", os.path.abspath(__file__), "--inner",
                                     os.path.abspath(out_dir), iso], env=env.env, timeout=180)
        if r.returncode != 0:
            sys.exit("make-screenshots: the GUI run failed")
        for f in sorted(os.listdir(out_dir)):
            print(os.path.join(out_dir, f))
    finally:
        env.stop_service()
        env.cleanup()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--inner":
        inner(sys.argv[2], sys.argv[3])
    else:
        outer(sys.argv[1] if len(sys.argv) > 1 else os.path.join(SRC, "data", "screenshots"))
