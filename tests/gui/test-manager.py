#!/usr/bin/python3
"""End-to-end test of the manager window (boxwood) under Xvfb with a D-Bus
session, driven through the accessibility tree as a person would: create a
machine with the wizard (new VDI and an ISO), see it in the list, change
its memory in the settings dialog and see boxwood-manage agree, watch state
changes made outside the window, search, remove. TAP output.

Outside the X session this script prepares a private Boxwood world and the
ISO, then runs itself again inside `xvfb-run dbus-run-session`."""

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guitest as g  # noqa: E402

ISO_LABEL = "Debian 12.4.0 amd64 n"


def showvminfo(env, name):
    rc, out, err = env.run("showvminfo", name, "--machinereadable")
    if rc != 0:
        return None
    info = {}
    for line in out.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            info[k.strip('"')] = v.strip('"')
    return info


class Steps(g.StepRunner):
    def __init__(self, env, iso):
        super().__init__()
        self.env = env
        self.iso = iso
        self.session = None
        self.manager = None

    # -- the steps -------------------------------------------------------

    def window_opens_empty(self):
        self.app = g.find_app("boxwood")
        main = g.frame(self.app, "Boxwood")
        g.wait_find(main, "label", contains="No machines yet")
        for name in ("New", "Settings", "Start", "Remove", "Search", "Main Menu"):
            assert g.find(main, "push button", name) or g.find(main, "toggle button", name), name
        assert not g.sensitive(g.find(main, "push button", "Settings")), "Settings without selection"

    def wizard_creates_machine(self):
        main = g.frame(self.app, "Boxwood")
        g.click(g.find(main, "push button", "New"))
        wiz = g.frame(self.app, "New Machine")
        g.set_text(g.wait_find(wiz, "text", "Name"), "Test VM")
        g.set_text(g.find(wiz, "text", "ISO image"), self.iso)
        # The volume label names the OS: the hint says so and the type follows.
        g.wait_find(wiz, "label", contains="looks like Debian (64-bit)")
        # Next moves the focus to the page's first control: that tells the
        # page is on screen before keys are sent to it.
        # A button's click action fires after GTK's 250 ms press animation;
        # each page shows it is there by focusing its first control.
        g.click(g.find(wiz, "push button", "Next"))
        g.wait_for(lambda: g.focused(g.find(wiz, "spin button", "Memory (MiB)")), 5, "hardware")
        g.click(g.find(wiz, "push button", "Next"))
        g.wait_for(lambda: g.focused(g.find(wiz, "check box", "Create a new disk image")), 5,
                   "hard disk page")
        g.type_into("New Machine", "s", "2")
        g.click(g.find(wiz, "push button", "Next"))
        summary = g.wait_find(wiz, "label", contains="Operating system: Debian (64-bit)")
        assert "Hard disk: new VDI image of 2 GiB" in summary.name, summary.name
        g.click(g.find(wiz, "push button", "Create"))
        g.wait_for(lambda: ("Test VM", "Powered Off") in g.list_rows(self.app), 15,
                   "Test VM in the list")
        info = showvminfo(self.env, "Test VM")
        assert info is not None, "boxwood-manage does not know Test VM"
        assert info.get("ostype") == "Debian_64", info.get("ostype")
        disks = [v for k, v in info.items() if v.endswith(".vdi")]
        assert disks and os.path.isfile(disks[0]), f"no VDI attached: {info}"
        if shutil.which("qemu-img"):
            # The disk the wizard made is a real 2 GiB VDI to another tool too.
            r = subprocess.run(["qemu-img", "info", "--output=json", disks[0]],
                               stdout=subprocess.PIPE, text=True)
            meta = json.loads(r.stdout)
            assert meta["format"] == "vdi" and meta["virtual-size"] == 2 << 30, meta
        assert any(v == self.iso for v in info.values()), f"ISO not attached: {info}"
        # The new machine is selected: its details are shown.
        g.wait_find(main, "label", "Debian (64-bit)")

    def settings_change_memory(self):
        main = g.frame(self.app, "Boxwood")
        g.click(g.wait_for(lambda: (lambda b: b if g.sensitive(b) else None)(
            g.find(main, "push button", "Settings")), 5, "Settings enabled"))
        dlg = g.frame(self.app, "Test VM — Settings")
        g.click_at("Test VM — Settings", g.wait_find(dlg, "label", "System"))
        g.type_into("Test VM — Settings", "m", "1536")
        g.click(g.find(dlg, "push button", "OK"))
        g.wait_for(lambda: not any(w is not None and w.name == "Test VM — Settings" and g.showing(w)
                                   for w in self.app), 10, "settings dialog to close")
        info = g.wait_for(lambda: (lambda i: i if i and i.get("memory") == "1536" else None)(
            showvminfo(self.env, "Test VM")), 10, "memory=1536 in showvminfo")
        assert info["memory"] == "1536"
        g.wait_find(main, "label", "1536 MiB")

    def settings_new_disk(self):
        main = g.frame(self.app, "Boxwood")
        g.click(g.find(main, "push button", "Settings"))
        title = "Test VM — Settings"
        dlg = g.frame(self.app, title)
        g.click_at(title, g.wait_find(dlg, "label", "Storage"))
        g.click(g.wait_find(dlg, "push button", "Create New Disk…"))
        create = g.wait_find(dlg, "push button", contains="Create the new disk")
        g.wait_for(lambda: g.on_screen(create), 5, "the new-disk popover")
        g.click(create)
        # Attached in the next free slot, shown in the list, applied by OK.
        g.wait_find(dlg, "label", contains="IDE primary slave — Hard disk:")
        g.click(g.find(dlg, "push button", "OK"))
        want = os.path.join(self.env.home, "Boxwood VMs", "Test VM", "Test VM-disk2.vdi")
        info = g.wait_for(lambda: (lambda i: i if i and want in i.values() else None)(
            showvminfo(self.env, "Test VM")), 10, "second disk in showvminfo")
        assert os.path.isfile(want), want
        del info

    def settings_flag_too_much_memory(self):
        main = g.frame(self.app, "Boxwood")
        g.click(g.find(main, "push button", "Settings"))
        dlg = g.frame(self.app, "Test VM — Settings")
        g.click_at("Test VM — Settings", g.wait_find(dlg, "label", "System"))
        g.type_into("Test VM — Settings", "m", "1000000")
        g.wait_find(dlg, "label", contains="more than the host has")
        ok = g.find(dlg, "push button", "OK")
        g.wait_for(lambda: not g.sensitive(ok), 5, "OK insensitive")
        g.click(g.find(dlg, "push button", "Cancel"))
        g.wait_for(lambda: not any(w is not None and w.name == "Test VM — Settings"
                                   for w in self.app), 5, "settings closed")
        info = showvminfo(self.env, "Test VM")
        assert info["memory"] == "1536", info["memory"]

    def state_changes_from_outside(self):
        self.session = subprocess.Popen([g.GUI_SESSION, "Test VM"], env=self.env.env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.session.stdout.readline().startswith("ready"), "session did not register"
        for state, label in (("running", "Running"), ("paused", "Paused")):
            self.session.stdin.write(state + "\n")
            self.session.stdin.flush()
            assert self.session.stdout.readline().strip() == f"ok {state}"
            g.wait_for(lambda: ("Test VM", label) in g.list_rows(self.app), 10,
                       f"{label} in the list")
            rc, out, _ = self.env.run("showvminfo", "Test VM", "--machinereadable")
            assert f'VMState="{state}"' in out, out
        main = g.frame(self.app, "Boxwood")
        # A live machine cannot be removed or started again; its settings
        # open locked.
        assert not g.sensitive(g.find(main, "push button", "Remove"))
        assert not g.sensitive(g.find(main, "push button", "Start"))
        g.click(g.find(main, "push button", "Settings"))
        dlg = g.frame(self.app, "Test VM — Settings")
        g.wait_find(dlg, "label", contains="settings are locked until it is powered off")
        assert not g.sensitive(g.find(dlg, "push button", "OK"))
        g.click(g.find(dlg, "push button", "Cancel"))
        g.wait_for(lambda: not any(w is not None and w.name == "Test VM — Settings"
                                   for w in self.app), 5, "settings closed")
        # The VM process dies: the service records "aborted".
        self.session.stdin.close()
        self.session.wait(timeout=10)
        g.wait_for(lambda: ("Test VM", "Aborted") in g.list_rows(self.app), 10,
                   "Aborted in the list")

    def start_headless(self):
        if not os.access(g.VM, os.X_OK):
            return f"boxwood-vm is not built ({g.VM}); Start cannot be shown"
        uuid = showvminfo(self.env, "Test VM")["UUID"]
        main = g.frame(self.app, "Boxwood")
        g.click(g.find(main, "push button", "Start Options"))
        g.click(g.wait_find(self.app, "menu item", "Headless Start"))

        def running():
            banner = g.find(main, "label", contains="Could not start")
            assert banner is None, banner.name if banner else ""
            return ("Test VM", "Running") in g.list_rows(self.app)
        g.wait_for(running, 30, "Running in the list")
        # From the command line, as a script would: the service relays the
        # VM process's state change and the list follows.
        for action, label in (("pause", "Paused"), ("resume", "Running"),
                              ("poweroff", "Powered Off")):
            rc, _, err = self.env.run("controlvm", uuid, action)
            assert rc == 0, f"controlvm {action}: {err}"
            g.wait_for(lambda: ("Test VM", label) in g.list_rows(self.app), 30,
                       f"{label} in the list after controlvm {action}")
            if action == "pause":
                rc, out, _ = self.env.run("showvminfo", "Test VM", "--machinereadable")
                assert 'VMState="paused"' in out, out

    def search_filters(self):
        g.key("Boxwood", "ctrl+f")
        main = g.frame(self.app, "Boxwood")
        entry = g.wait_find(main, "entry", "Search machines")
        g.set_text(entry, "zzz")
        g.wait_for(lambda: g.list_rows(self.app) == [], 5, "no rows")
        g.wait_find(main, "label", "No machine matches the search.")
        g.set_text(entry, "test")
        g.wait_for(lambda: [r[0] for r in g.list_rows(self.app)] == ["Test VM"], 5, "match")
        g.key("Boxwood", "Escape")

    def context_menu(self):
        g.key("Boxwood", "Menu")
        item = g.wait_find(self.app, "menu item", "Settings…")
        assert g.find(self.app, "menu item", "Start Headless"), "no Start Headless entry"
        assert g.find(self.app, "menu item", "Remove…"), "no Remove entry"
        g.click(item)
        g.frame(self.app, "Test VM — Settings")
        g.key("Test VM — Settings", "Escape")
        g.wait_for(lambda: not any(w is not None and w.name == "Test VM — Settings"
                                   for w in self.app), 5, "settings closed")

    def service_loss_and_retry(self):
        """The service goes away: the window says so in words and offers
        Retry, which starts it again and brings the list back."""
        main = g.frame(self.app, "Boxwood")
        os.kill(g.own_processes(self.env.runtime, "boxwood-svc")[0], 9)
        banner = g.wait_find(main, "label", contains="Lost the connection to Boxwood")
        assert "Retry" in banner.name, banner.name
        assert g.list_rows(self.app) == []
        g.click(g.wait_find(main, "push button", "Retry"))
        # (Aborted when no boxwood-vm was there to start and power off.)
        # (A fresh service and the list's refill: generous for a loaded host.)
        g.wait_for(lambda: any(r[0] == "Test VM" for r in g.list_rows(self.app)), 40,
                   "list back after Retry")

    def keyboard_opens_wizard(self):
        g.key("Boxwood", "ctrl+n")
        g.frame(self.app, "New Machine")
        g.key("New Machine", "Escape")
        g.wait_for(lambda: not any(w is not None and w.name == "New Machine" and g.showing(w)
                                   for w in self.app), 5, "wizard to close")

    def keyboard_only(self):
        """The wizard and the settings dialog with the keyboard alone.
        Each key waits for what the previous one did (the focused
        control, the page shown): keys must not race GTK's page switches,
        and a button's click action would (250 ms press animation)."""
        name = "Keyboard VM"
        main = g.frame(self.app, "Boxwood")
        g.press("Boxwood", "ctrl+n")
        wiz = g.frame(self.app, "New Machine")
        g.wait_focus(wiz, "text", "Name")
        g.press("New Machine", "ctrl+a")
        subprocess.run(["xdotool", "type", "--delay", "20", name], timeout=30)
        g.wait_for(lambda: g.text_of(g.find(wiz, "text", "Name")) == name, 5, "the name typed")
        g.press("New Machine", "alt+n")
        g.wait_focus(wiz, "spin button", "Memory (MiB)")
        g.press("New Machine", "ctrl+a")
        subprocess.run(["xdotool", "type", "--delay", "20", "256"], timeout=30)
        g.press("New Machine", "Tab")
        g.press("New Machine", "alt+n")
        g.wait_focus(wiz, "check box", "Create a new disk image")
        g.press("New Machine", "alt+k")
        none = g.find(wiz, "radio button", "No hard disk") or g.find(wiz, "check box",
                                                                     "No hard disk")
        g.wait_for(lambda: none.getState().contains(g.atspi().STATE_CHECKED), 5,
                   "No hard disk chosen")
        g.press("New Machine", "alt+n")
        summary = g.wait_find(wiz, "label", contains="Hard disk: none")
        assert "Memory: 256 MiB" in summary.name, summary.name
        g.press("New Machine", "alt+r")
        g.wait_for(lambda: (name, "Powered Off") in g.list_rows(self.app), 15, f"{name} listed")
        g.wait_for(lambda: not any(w is not None and w.name == "New Machine" and g.showing(w)
                                   for w in self.app), 10, "wizard closed")
        g.wait_find(main, "label", name)  # selected: its details are shown

        title = f"{name} — Settings"
        g.press("Boxwood", "ctrl+s")
        dlg = g.frame(self.app, title)
        g.wait_focus(dlg, "text", "Name")
        # Shift+Tab leaves the page for the page list; arrows choose a page;
        # the mnemonics of the page shown reach its controls.
        g.press(title, "shift+Tab")
        g.wait_focus(dlg, "list item")
        g.press(title, "Down")
        g.wait_for(lambda: g.selected_page(dlg) == "System", 5, "System page")
        g.press(title, "alt+m")
        g.wait_focus(dlg, "spin button", "Memory (MiB)")
        g.press(title, "ctrl+a")
        subprocess.run(["xdotool", "type", "--delay", "20", "384"], timeout=30)
        g.press(title, "Tab")
        g.wait_for(lambda: g.text_of(g.find(dlg, "spin button", "Memory (MiB)")) == "384", 5,
                   "memory typed")
        g.press(title, "shift+Tab", "shift+Tab")
        g.wait_focus(dlg, "list item")
        g.press(title, "Down")
        g.wait_for(lambda: g.selected_page(dlg) == "Display", 5, "Display page")
        # Alt+S opens the scaling list; Down, Return chooses the fixed factor.
        g.press(title, "alt+s")

        def in_scaling_list():
            n = g.focused_node(dlg)
            return n is not None and n.getRoleName() == "list item" and any(
                lbl.name == "Scale to window" for lbl in g.find_all(n, "label"))
        g.wait_for(in_scaling_list, 5, "the scaling list open")
        g.press(title, "Down")
        g.wait_for(lambda: any(lbl.name == "Fixed scale factor"
                               for lbl in g.find_all(g.focused_node(dlg), "label")), 5,
                   "Fixed scale factor under the cursor")
        g.press(title, "Return")
        # Back on the drop-down's button, which has a name, not its class's.
        g.wait_focus(dlg, "push button", "Scaling")
        factor = g.find(dlg, "spin button", "Scale factor (%)")
        g.wait_for(lambda: g.sensitive(factor), 5, "scale factor enabled")
        g.press(title, "alt+e")
        g.wait_focus(dlg, "spin button", "Scale factor (%)")
        g.press(title, "ctrl+a")
        subprocess.run(["xdotool", "type", "--delay", "20", "150"], timeout=30)
        g.press(title, "Tab")
        g.wait_for(lambda: g.text_of(factor) == "150", 5, "scale factor typed")
        g.press(title, "alt+o")
        g.wait_for(lambda: not any(w is not None and w.name == title and g.showing(w)
                                   for w in self.app), 10, "settings closed by Alt+O")
        info = g.wait_for(lambda: (lambda i: i if i and i.get("memory") == "384" else None)(
            showvminfo(self.env, name)), 10, "memory=384 in showvminfo")
        with open(info["CfgFile"]) as f:
            xml = f.read()
        assert 'scaleMode="fixed"' in xml and 'scalePercent="150"' in xml, xml
        g.wait_find(main, "label", "Fixed at 150 %")
        rc, _, err = self.env.run("unregistervm", name, "--delete")
        assert rc == 0, err
        g.wait_for(lambda: all(r[0] != name for r in g.list_rows(self.app)), 10, "removed")

    def preferences_machine_folder(self):
        folder = os.path.join(self.env.root, "elsewhere")
        main = g.frame(self.app, "Boxwood")
        g.click(g.find(main, "push button", "Main Menu"))
        g.click(g.wait_find(self.app, "menu item", "Preferences"))
        prefs = g.frame(self.app, "Preferences")
        g.set_text(g.wait_find(prefs, "text", "Default machine folder"), folder)
        g.key("Preferences", "Escape")
        g.wait_for(lambda: not any(w is not None and w.name == "Preferences" for w in self.app),
                   5, "preferences closed")
        rc, out, _ = self.env.run("list", "systemproperties")
        assert folder in out, out
        # The wizard offers it for the next machine.
        g.click(g.find(main, "push button", "New"))
        wiz = g.frame(self.app, "New Machine")
        entry = g.wait_find(wiz, "text", "Folder")
        assert g.text_of(entry) == folder, g.text_of(entry)
        g.click(g.find(wiz, "push button", "Cancel"))

    def german(self):
        """The same window in German: the translation is built and used."""
        self.manager.terminate()
        self.manager.wait(timeout=10)
        g.wait_for(lambda: not any(a is not None and a.name == "boxwood"
                                   for a in g.atspi().Registry.getDesktop(0)), 10, "exit")
        env = dict(self.env.env, LANGUAGE="de", LC_ALL="C.UTF-8",
                   BOXWOOD_LOCALEDIR=os.path.join(g.BUILD_ROOT, "po"))
        self.manager = subprocess.Popen([g.MANAGER], env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.app = g.find_app("boxwood")
        main = g.frame(self.app, "Boxwood")
        for name in ("Neu", "Einstellungen", "Starten", "Entfernen", "Suchen"):
            assert g.find(main, "push button", name), name
        g.wait_find(main, "label", contains="Noch keine Maschinen")

    def remove_with_files(self):
        info = showvminfo(self.env, "Test VM")
        settings = info.get("CfgFile")
        main = g.frame(self.app, "Boxwood")
        g.click(g.find(main, "push button", "Remove"))
        dlg = g.frame(self.app, "Remove Machine")
        files = g.wait_find(dlg, "label", contains=".bwvm")
        assert settings is None or settings in files.name, files.name
        g.click(g.find(dlg, "push button", "Delete Files"))
        g.wait_for(lambda: g.list_rows(self.app) == [], 10, "empty list")
        assert showvminfo(self.env, "Test VM") is None
        assert settings is None or not os.path.exists(settings), settings

    def run(self):
        steps = [
            ("the window opens with an empty list and labelled controls", self.window_opens_empty),
            ("the wizard creates a machine with a new VDI and an ISO", self.wizard_creates_machine),
            ("the settings dialog changes the memory; showvminfo agrees",
             self.settings_change_memory),
            ("a new disk made on the storage page is attached by OK", self.settings_new_disk),
            ("too much memory is flagged before OK", self.settings_flag_too_much_memory),
            ("state changes from a VM process update the list", self.state_changes_from_outside),
            ("headless start from the Start menu; controlvm pause, resume, power off show",
             self.start_headless),
            ("search filters the list", self.search_filters),
            ("Ctrl+N opens the wizard, Escape closes it", self.keyboard_opens_wizard),
            ("the wizard and the settings (memory, scaling) with the keyboard alone",
             self.keyboard_only),
            ("the Menu key opens the context menu; its Settings entry works", self.context_menu),
            ("losing the service is reported; Retry reconnects", self.service_loss_and_retry),
            ("preferences set the default machine folder for service and wizard",
             self.preferences_machine_folder),
            ("remove deletes the machine's files after a confirmation", self.remove_with_files),
            ("the window speaks German with LANGUAGE=de", self.german),
        ]
        return self.run_steps(steps)


def inner(root, iso):
    env = g.reopen_world(root)
    log = open(os.path.join(root, "boxwood.log"), "w+")
    # BW_GUI_GDB=1: the manager runs under gdb, which prints a backtrace
    # into the log if it crashes.
    argv = [g.MANAGER]
    if os.environ.get("BW_GUI_GDB"):
        argv = ["gdb", "-q", "-batch", "-ex", "run", "-ex", "bt 40", "--args"] + argv
    manager = subprocess.Popen(argv, env=env.env, stdout=log, stderr=subprocess.STDOUT,
                               text=True)
    steps = Steps(env, iso)
    steps.manager = manager
    try:
        rc = steps.run()
    finally:
        if steps.session and steps.session.poll() is None:
            steps.session.kill()
        steps.manager.terminate()
        steps.manager.wait(timeout=10)
        for pid in g.own_processes(env.runtime, "boxwood-vm"):
            os.kill(pid, 9)
        log.seek(0)
        for line in log.read().splitlines():
            if "dbus-daemon" not in line:
                print("# boxwood: " + line)
    return rc


def outer():
    missing = g.missing_tools()
    if missing:
        print(f"1..0 # SKIP missing {', '.join(missing)}")
        return 0
    env = g.bwtest.Env(prefix="bw-gui-")
    try:
        iso = os.path.join(env.root, "debian-test.iso")
        g.write_iso(iso, ISO_LABEL)
        env.env.update({"GSETTINGS_BACKEND": "memory", "BOXWOOD_VM": g.VM,
                        "NO_AT_BRIDGE": "0", "GTK_A11Y": "atspi"})
        return g.run_inner(env, __file__, [iso], timeout=240)
    finally:
        g.close_world(env)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--inner":
        sys.exit(inner(sys.argv[2], sys.argv[3]))
    sys.exit(outer())
