#!/usr/bin/python3
"""End-to-end tests of boxwood-manage: the real program and the real
boxwood-svc it starts, in a private HOME / BOXWOOD_USER_HOME /
XDG_RUNTIME_DIR. Prints TAP."""

import os
import re
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bwtest  # noqa: E402

COMMANDS = ["list", "showvminfo", "createvm", "registervm", "unregistervm", "modifyvm",
            "storagectl", "storageattach", "createmedium", "showmediuminfo", "closemedium",
            "clonemedium", "convertfromraw", "setproperty"]

UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
MR_LINE = re.compile(r'^("[^"]+"|[A-Za-z][A-Za-z0-9_]*)=("(?:\\.|[^"\\])*"|[0-9]+)$')


def qemu_img(*args):
    return subprocess.run(["qemu-img"] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


class ManageTestCase(unittest.TestCase):
    def setUp(self):
        self.w = bwtest.Env()

    def tearDown(self):
        self.w.cleanup()

    # Helpers ------------------------------------------------------------
    def ok(self, *args):
        rc, out, err = self.w.run(*args)
        self.assertEqual(rc, 0, f"boxwood-manage {' '.join(map(str, args))} failed:\n{err}")
        return out

    def fails(self, *args, status=None, mentions=()):
        rc, out, err = self.w.run(*args)
        self.assertNotEqual(rc, 0, f"boxwood-manage {' '.join(map(str, args))} succeeded")
        if status is not None:
            self.assertEqual(rc, status, err)
        self.assertTrue(err.startswith("boxwood-manage: error: "), err)
        for m in mentions:
            self.assertIn(m, err)
        return err

    def create(self, name, *extra):
        out = self.ok("createvm", "--name", name, "--register", *extra)
        m = re.search(r"UUID: (" + UUID_RE + ")", out)
        self.assertIsNotNone(m, out)
        return m.group(1)

    def info(self, machine):
        out = self.ok("showvminfo", machine, "--machinereadable")
        values = {}
        for line in out.splitlines():
            m = MR_LINE.match(line)
            self.assertIsNotNone(m, f"not a KEY=VALUE line: {line!r}")
            key, value = m.group(1).strip('"'), m.group(2)
            if value.startswith('"'):
                value = re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n" else e.group(1),
                               value[1:-1])
            values[key] = value
        return values

    def list_vms(self):
        return self.ok("list", "vms").splitlines()

    def settings_path(self, name):
        return os.path.join(self.w.machine_folder, name, name + ".bwvm")


class HelpTests(ManageTestCase):
    def test_overview_lists_every_command(self):
        rc, out, _ = self.w.run("--help")
        self.assertEqual(rc, 0)
        self.assertIn("Usage: boxwood-manage", out)
        for c in COMMANDS:
            self.assertRegex(out, r"\n  " + c + r" ")

    def test_every_command_has_help(self):
        for c in COMMANDS:
            for args in ([c, "--help"], [c, "-h"], ["help", c], [c, "x", "--help"]):
                rc, out, err = self.w.run(*args)
                self.assertEqual(rc, 0, f"{args}: {err}")
                self.assertTrue(out.startswith("Usage: boxwood-manage " + c), f"{args}: {out}")
                self.assertEqual(err, "")

    def test_help_documents_options(self):
        out = self.ok("modifyvm", "--help")
        for opt in ("--name", "--ostype", "--memory", "--cpus", "--acceleration", "--boot1",
                    "--vram", "--uart1", "--uartmode1", "--description", "--kernel",
                    "--initrd", "--cmdline"):
            self.assertIn(opt, out)

    def test_no_arguments(self):
        rc, out, err = self.w.run()
        self.assertEqual(rc, 2)
        self.assertIn("Usage: boxwood-manage", err)

    def test_unknown_command(self):
        err = self.fails("frobnicate", status=2, mentions=["unknown command 'frobnicate'"])
        self.assertIn("--help", err)
        self.fails("help", "frobnicate", mentions=["frobnicate"])

    def test_unknown_option_everywhere(self):
        for c in COMMANDS:
            err = self.fails(c, "--no-such-option", status=2,
                             mentions=[f"{c}: unknown option '--no-such-option'",
                                       "Usage: boxwood-manage " + c,
                                       f"Try 'boxwood-manage {c} --help'"])
            self.assertNotIn("\n\n", err)

    def test_version(self):
        self.assertRegex(self.ok("--version"), r"^\d+\.\d+\.\d+\n$")


class MachineTests(ManageTestCase):
    def test_createvm_register_and_list(self):
        uuid = self.create("Alpha")
        self.assertTrue(os.path.isfile(self.settings_path("Alpha")))
        self.assertEqual(self.list_vms(), [f'"Alpha" {{{uuid}}}'])
        info = self.info("Alpha")
        self.assertEqual(info["UUID"], uuid)
        self.assertEqual(info["CfgFile"], self.settings_path("Alpha"))
        self.assertEqual(self.info(uuid)["name"], "Alpha")
        self.assertEqual(self.info("{" + uuid + "}")["name"], "Alpha")

    def test_createvm_ostype_and_basefolder(self):
        base = os.path.join(self.w.root, "elsewhere")
        os.mkdir(base)
        self.create("Deb", "--ostype", "debian_64", "--basefolder", base)
        info = self.info("Deb")
        self.assertEqual(info["ostype"], "Debian_64")
        self.assertEqual(info["CfgFile"], os.path.join(base, "Deb", "Deb.bwvm"))

    def test_createvm_errors(self):
        self.fails("createvm", status=2, mentions=["missing --name"])
        self.fails("createvm", "--name", status=2, mentions=["'--name' needs a value"])
        self.fails("createvm", "--name", "X", "--ostype", "Plan9000",
                   mentions=["unknown OS type 'Plan9000'"])
        self.create("Dup")
        self.fails("createvm", "--name", "Dup", "--register", mentions=["Dup"])
        self.assertEqual(len(self.list_vms()), 1)

    def test_createvm_without_register_then_registervm(self):
        out = self.ok("createvm", "--name", "Loose")
        self.assertIn("is created.", out)
        self.assertEqual(self.list_vms(), [])
        path = self.settings_path("Loose")
        self.assertTrue(os.path.isfile(path))
        # A relative path is taken from the caller's folder.
        rc, out, err = self.w.run("registervm", os.path.join("Loose", "Loose.bwvm"),
                                  cwd=self.w.machine_folder)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.list_vms()), 1)
        self.assertIn('"Loose"', self.list_vms()[0])
        self.fails("registervm", path, mentions=["Loose"])
        self.fails("registervm", os.path.join(self.w.root, "nothing.bwvm"),
                   mentions=["nothing.bwvm", "no such file"])
        self.fails("registervm", status=2, mentions=["missing the settings file"])

    def test_unregistervm(self):
        self.create("Keep")
        self.create("Gone")
        self.ok("unregistervm", "Keep")
        self.assertTrue(os.path.isfile(self.settings_path("Keep")))
        self.ok("unregistervm", "Gone", "--delete")
        self.assertFalse(os.path.exists(self.settings_path("Gone")))
        self.assertEqual(self.list_vms(), [])
        self.fails("unregistervm", "Gone", mentions=["Gone"])
        self.fails("unregistervm", status=2)

    def test_unknown_machine(self):
        for args in (["showvminfo", "Nobody"], ["modifyvm", "Nobody", "--memory", "64"],
                     ["storagectl", "Nobody", "--name", "IDE", "--add", "ide"],
                     ["unregistervm", "Nobody"]):
            self.fails(*args, status=1, mentions=["Nobody"])

    def test_modifyvm_every_option(self):
        self.create("M")
        kernel = os.path.join(self.w.root, "bzImage")
        initrd = os.path.join(self.w.root, "initrd.img")
        for p in (kernel, initrd):
            open(p, "wb").close()
        log = os.path.join(self.w.root, "serial.log")
        sock = os.path.join(self.w.root, "com2.sock")
        self.ok("modifyvm", "M", "--memory", "256", "--cpus", "2", "--vram", "32",
                "--acceleration", "software", "--ostype", "Debian",
                "--boot1", "disk", "--boot2", "dvd", "--boot3", "none", "--boot4", "net",
                "--uart1", "0x3f8", "4", "--uartmode1", "file", log,
                "--uart2", "0x2f8", "3", "--uartmode2", "server", sock,
                "--description", 'Line one "quoted"\nline two \\ end',
                "--kernel", kernel, "--initrd", initrd, "--cmdline", "console=ttyS0 quiet",
                "--scalemode", "fixed", "--scalefactor", "150")
        i = self.info("M")
        self.assertEqual([i["scalemode"], i["scalefactor"]], ["fixed", "150"])
        self.assertEqual(i["memory"], "256")
        self.assertEqual(i["cpus"], "2")
        self.assertEqual(i["vram"], "32")
        self.assertEqual(i["acceleration"], "software")
        self.assertEqual(i["ostype"], "Debian")
        self.assertEqual([i["boot1"], i["boot2"], i["boot3"], i["boot4"]],
                         ["disk", "dvd", "none", "net"])
        self.assertEqual(i["uart1"], "0x03f8,4")
        self.assertEqual(i["uartmode1"], "file," + log)
        self.assertEqual(i["uart2"], "0x02f8,3")
        self.assertEqual(i["uartmode2"], "server," + sock)
        self.assertEqual(i["uart3"], "off")
        self.assertEqual(i["description"], 'Line one "quoted"\nline two \\ end')
        self.assertEqual(i["kernel"], kernel)
        self.assertEqual(i["initrd"], initrd)
        self.assertEqual(i["cmdline"], "console=ttyS0 quiet")

        # Relative paths are the caller's; "none" and "" clear.
        rc, _, err = self.w.run("modifyvm", "M", "--uartmode1", "file", "rel.log",
                                "--kernel", "none", "--cmdline", "", cwd=self.w.home)
        self.assertEqual(rc, 0, err)
        i = self.info("M")
        self.assertEqual(i["uartmode1"], "file," + os.path.join(self.w.home, "rel.log"))
        self.assertEqual(i["kernel"], "")
        self.assertEqual(i["cmdline"], "")
        self.ok("modifyvm", "M", "--uart1", "off", "--uartmode2", "disconnected")
        i = self.info("M")
        self.assertEqual(i["uart1"], "off")
        self.assertEqual(i["uartmode2"], "disconnected")

        self.ok("modifyvm", "M", "--nic1", "none", "--nic2", "nat", "--nictype2", "virtio",
                "--macaddress2", "0a00270000aa")
        i = self.info("M")
        self.assertEqual(i["nic1"], "none")
        self.assertEqual([i["nic2"], i["nictype2"], i["macaddress2"]],
                         ["nat", "virtio", "0A00270000AA"])
        self.ok("modifyvm", "M", "--macaddress2", "auto")
        self.assertRegex(self.info("M")["macaddress2"], r"^[0-9A-F]{12}$")
        self.assertNotEqual(self.info("M")["macaddress2"], "0A00270000AA")

        self.ok("modifyvm", "M", "--name", "Renamed")
        self.assertIn('"Renamed"', self.list_vms()[0])
        self.fails("showvminfo", "M", mentions=["M"])

    def test_modifyvm_errors(self):
        self.create("E")
        before = self.info("E")
        for args, text in (
                (["--memory", "lots"], "'lots' is not a number"),
                (["--memory", "-5"], "'-5' is not a number"),
                (["--cpus"], "'--cpus' needs a value"),
                (["--memory", "0"], "0 is out of range (4..1048576)"),
                (["--cpus", "65"], "65 is out of range (1..64)"),
                (["--vram", "100000"], "100000 is out of range"),
                (["--acceleration", "warp"], "'warp' is not one of auto, kvm, software"),
                (["--boot5", "disk"], "unknown option '--boot5'"),
                (["--boot1", "tape"], "'tape' is not one of"),
                (["--uart1", "0x3f8"], "needs an IRQ"),
                (["--uart1", "0x3f8", "99"], "IRQ '99'"),
                (["--uart1", "com1"], "'com1' is not 'off' or an I/O base"),
                (["--uartmode1", "file"], "needs a path"),
                (["--uartmode1", "pipe", "/x"], "'pipe' is not one of"),
                (["--nic9", "nat"], "unknown option '--nic9'"),
                (["--nic1", "wifi"], "'wifi' is not one of"),
                (["--nictype1", "ne2000"], "'ne2000' is not one of"),
                (["--macaddress1", "12:34"], "'12:34' is not 12 hex digits"),
                (["--name", ""], "the name is empty"),
                (["--scalemode", "zoom"], "'zoom' is not one of window, fixed"),
                (["--scalefactor", "250"], "250 is out of range (100..200)"),
                ([], "nothing to change")):
            self.fails("modifyvm", "E", *args, status=2, mentions=[text])
        # A value only the service can judge fails the whole change list:
        # nothing at all is applied.
        self.fails("modifyvm", "E", "--cpus", "2", "--memory", "512", "--ostype", "Plan9000",
                   status=1, mentions=["Plan9000"])
        self.assertEqual(self.info("E"), before)
        self.create("Other")
        self.fails("modifyvm", "E", "--name", "Other", status=1, mentions=["Other"])

    def test_showvminfo_human(self):
        uuid = self.create("Human")
        self.ok("modifyvm", "Human", "--description", "hello there")
        out = self.ok("showvminfo", "Human")
        self.assertRegex(out, r"(?m)^Name: +Human$")
        self.assertRegex(out, r"(?m)^UUID: +" + uuid + "$")
        self.assertRegex(out, r"(?m)^Memory size: +\d+ MB$")
        self.assertRegex(out, r"(?m)^Display scaling: +window$")
        self.assertRegex(out, r"(?m)^State: +powered off")
        self.assertIn("Storage Controllers:", out)
        self.assertIn("hello there", out)
        self.fails("showvminfo", status=2, mentions=["missing the machine"])

    def test_machinereadable_format(self):
        self.create("Fmt")
        out = self.ok("showvminfo", "Fmt", "--machinereadable")
        for line in out.splitlines():
            self.assertRegex(line, MR_LINE)
        i = self.info("Fmt")
        for key in ("name", "ostype", "UUID", "CfgFile", "SnapFldr", "LogFldr", "memory", "vram",
                    "cpus", "acceleration", "firmware", "boot1", "boot4", "VMState",
                    "storagecontrollername0", "uart1", "nic1", "description"):
            self.assertIn(key, i)
        self.assertEqual(i["VMState"], "poweroff")
        self.assertEqual(i["SnapFldr"], os.path.join(self.w.machine_folder, "Fmt", "Snapshots"))


class StorageTests(ManageTestCase):
    def test_createmedium_vdi_passes_qemu_img_check(self):
        for variant in ("Standard", "Fixed"):
            path = os.path.join(self.w.root, f"d-{variant}.vdi")
            out = self.ok("createmedium", "disk", "--filename", path, "--size", "16",
                          "--variant", variant)
            self.assertRegex(out, r"Medium created\. UUID: " + UUID_RE)
            check = qemu_img("check", "-f", "vdi", path)
            self.assertEqual(check.returncode, 0, check.stdout)
            info = qemu_img("info", "--output=json", path).stdout
            self.assertIn('"virtual-size": 16777216', info)
            self.assertIn('"format": "vdi"', info)
        out = self.ok("list", "hdds")
        self.assertEqual(out.count("UUID:"), 2)
        self.assertIn("Capacity:       16 MBytes", out)
        fixed = os.path.getsize(os.path.join(self.w.root, "d-Fixed.vdi"))
        dynamic = os.path.getsize(os.path.join(self.w.root, "d-Standard.vdi"))
        self.assertGreaterEqual(fixed, 16 << 20)
        self.assertLess(dynamic, 16 << 20)

    def test_createmedium_raw(self):
        path = os.path.join(self.w.root, "disk.img")
        self.ok("createmedium", "--filename", path, "--size", "3")
        self.assertEqual(os.path.getsize(path), 3 << 20)
        out = self.ok("showmediuminfo", path)
        self.assertIn("Storage format: RAW", out)
        self.assertIn("Capacity:       3 MBytes", out)

    def test_createmedium_errors(self):
        path = os.path.join(self.w.root, "e.vdi")
        for size in ("abc", "-5", "1.5", "99999999999999999999"):
            self.fails("createmedium", "--filename", path, "--size", size, status=2,
                       mentions=[f"'{size}' is not a number"])
        for size in ("0", "17179869185"):
            self.fails("createmedium", "--filename", path, "--size", size, status=2,
                       mentions=[f"{size} is out of range"])
        self.fails("createmedium", "--filename", path, status=2, mentions=["missing --size"])
        self.fails("createmedium", "--size", "1", status=2, mentions=["missing --filename"])
        self.fails("createmedium", "--filename", path, "--size", "1", "--format", "QCOW2",
                   status=2, mentions=["'QCOW2'"])
        self.fails("createmedium", "--filename", path, "--size", "1", "--variant", "Sparse",
                   status=2, mentions=["'Sparse'"])
        self.fails("createmedium", "dvd", "--filename", path, "--size", "1", status=2)
        self.assertFalse(os.path.exists(path))
        self.ok("createmedium", "--filename", path, "--size", "1")
        self.fails("createmedium", "--filename", path, "--size", "1",
                   mentions=[path, "already exists"])
        self.fails("createmedium", "--filename", os.path.join(self.w.root, "no/such/dir/x.vdi"),
                   "--size", "1", mentions=["no/such/dir"])

    def test_showmediuminfo(self):
        path = os.path.join(self.w.root, "s.vdi")
        out = self.ok("createmedium", "--filename", path, "--size", "8")
        uuid = re.search(UUID_RE, out).group(0)
        info = self.ok("showmediuminfo", path)
        self.assertIn("UUID:           " + uuid, info)
        self.assertIn("Storage format: VDI", info)
        self.assertIn("Format variant: dynamic", info)
        self.assertIn("Capacity:       8 MBytes", info)
        self.assertEqual(self.ok("showmediuminfo", uuid), info)
        self.fails("showmediuminfo", os.path.join(self.w.root, "none.vdi"),
                   mentions=["none.vdi", "no such file"])
        bad = os.path.join(self.w.root, "bad.vdi")
        with open(bad, "wb") as f:
            f.write(b"<<< Oracle VM VirtualBox Disk Image >>>\n".ljust(512, b"\0"))
        self.fails("showmediuminfo", bad, mentions=["bad.vdi"])

    def test_storage_attach_and_close(self):
        self.create("S")
        disk = os.path.join(self.w.root, "s.vdi")
        iso = os.path.join(self.w.root, "cd.iso")
        with open(iso, "wb") as f:
            f.write(b"\0" * 2048 * 16)
        self.ok("createmedium", "--filename", disk, "--size", "4")
        self.ok("storagectl", "S", "--name", "Disks", "--add", "ide")
        self.fails("storagectl", "S", "--name", "Disks", "--add", "ide", mentions=["Disks"])
        self.fails("storagectl", "S", "--name", "X", "--add", "scsi", status=2,
                   mentions=["'scsi'"])
        self.fails("storagectl", "S", "--name", "X", status=2, mentions=["--add or --remove"])
        self.ok("storageattach", "S", "--storagectl", "Disks", "--port", "0", "--device", "0",
                "--type", "hdd", "--medium", disk)
        self.ok("storageattach", "S", "--storagectl", "Disks", "--port", "1", "--device", "0",
                "--type", "dvddrive", "--medium", iso)
        self.ok("storageattach", "S", "--storagectl", "Disks", "--port", "1", "--device", "1",
                "--type", "dvddrive", "--medium", "emptydrive")
        i = self.info("S")
        self.assertEqual(i["Disks-0-0"], disk)
        self.assertRegex(i["Disks-ImageUUID-0-0"], UUID_RE)
        self.assertEqual(i["Disks-1-0"], iso)
        self.assertEqual(i["Disks-1-1"], "emptydrive")
        hdds = self.ok("list", "hdds")
        self.assertIn("In use by VMs:  S", hdds)
        self.assertIn(iso, self.ok("list", "dvds"))

        self.fails("closemedium", disk, mentions=["S"])
        self.fails("storageattach", "S", "--storagectl", "Disks", "--port", "0", "--type", "hdd",
                   "--medium", os.path.join(self.w.root, "missing.vdi"),
                   mentions=["missing.vdi", "no such file"])
        self.fails("storageattach", "S", "--storagectl", "Nope", "--port", "0", "--type", "hdd",
                   "--medium", disk, mentions=["Nope"])
        self.fails("storageattach", "S", "--storagectl", "Disks", "--port", "0",
                   "--medium", disk, status=2, mentions=["missing --type"])
        self.fails("storageattach", "S", "--storagectl", "Disks", "--port", "x", "--type", "hdd",
                   "--medium", disk, status=2, mentions=["'x' is not a number"])

        self.ok("storageattach", "S", "--storagectl", "Disks", "--port", "0", "--device", "0",
                "--medium", "none")
        self.assertNotIn("Disks-0-0", self.info("S"))
        self.ok("closemedium", "disk", disk, "--delete")
        self.assertFalse(os.path.exists(disk))
        self.assertNotIn(disk, self.ok("list", "hdds"))
        self.ok("storagectl", "S", "--name", "Disks", "--remove")
        self.assertNotIn("Disks-1-0", self.info("S"))
        self.fails("closemedium", disk, mentions=[disk])

    def test_clonemedium_and_convertfromraw(self):
        raw = os.path.join(self.w.root, "data.raw")
        data = bytes((i * 7 + 3) % 251 for i in range(3 << 20))
        with open(raw, "wb") as f:
            f.write(b"\0" * (1 << 20) + data + b"\0" * (1 << 20))
        vdi = os.path.join(self.w.root, "conv.vdi")
        self.ok("convertfromraw", raw, vdi)
        self.assertEqual(qemu_img("check", vdi).returncode, 0)
        cmp = qemu_img("compare", "-f", "raw", "-F", "vdi", raw, vdi)
        self.assertEqual(cmp.returncode, 0, cmp.stdout)
        self.assertNotIn(vdi, self.ok("list", "hdds"))  # convertfromraw registers nothing

        back = os.path.join(self.w.root, "back.img")
        self.ok("clonemedium", vdi, back)
        self.assertEqual(qemu_img("compare", "-f", "raw", "-F", "raw", raw, back).returncode, 0)
        fixed = os.path.join(self.w.root, "fixed.vdi")
        self.ok("clonemedium", "disk", back, fixed, "--format", "VDI", "--variant", "Fixed")
        self.assertIn("Format variant: fixed", self.ok("showmediuminfo", fixed))
        self.assertEqual(qemu_img("compare", raw, fixed).returncode, 0)
        hdds = self.ok("list", "hdds")
        self.assertIn(back, hdds)
        self.assertIn(fixed, hdds)

        self.fails("clonemedium", vdi, back, mentions=[back, "already exists"])
        self.fails("clonemedium", vdi, status=2, mentions=["missing the target"])
        self.fails("clonemedium", os.path.join(self.w.root, "nope.vdi"), "x.vdi",
                   mentions=["nope.vdi", "no such file"])
        self.fails("convertfromraw", vdi, os.path.join(self.w.root, "again.vdi"),
                   mentions=["VDI image", "clonemedium"])


class GlobalTests(ManageTestCase):
    def test_setproperty_machinefolder(self):
        folder = os.path.join(self.w.root, "vms")
        self.ok("setproperty", "machinefolder", folder)
        self.assertRegex(self.ok("list", "systemproperties"),
                         r"(?m)^Default machine folder: +" + re.escape(folder) + "$")
        self.create("There")
        self.assertTrue(os.path.isfile(os.path.join(folder, "There", "There.bwvm")))
        self.ok("setproperty", "machinefolder", "default")
        self.assertIn(self.w.machine_folder, self.ok("list", "systemproperties"))
        self.fails("setproperty", "colour", "blue", status=2, mentions=["unknown property"])
        self.fails("setproperty", "machinefolder", status=2, mentions=["missing the folder"])

    def test_list_kinds(self):
        out = self.ok("list", "ostypes")
        self.assertRegex(out, r"(?m)^ID: +Other$")
        self.assertRegex(out, r"(?m)^ID: +Debian_64$")
        self.assertRegex(out, r"(?m)^ID: +Windows10_64$")
        self.assertEqual(self.ok("list", "runningvms"), "")
        self.assertEqual(self.ok("list", "dvds"), "")
        self.assertIn("Default machine folder:", self.ok("list", "systemproperties"))
        self.fails("list", status=2, mentions=["missing what to list"])
        self.fails("list", "everything", status=2, mentions=["cannot list 'everything'"])
        self.fails("list", "vms", "hdds", status=2, mentions=["unexpected argument 'hdds'"])


class BrokenSettingsTests(ManageTestCase):
    def check_broken(self, damage):
        uuids = {n: self.create(n) for n in ("First", "Broken", "Last")}
        path = self.settings_path("Broken")
        # The service holds what it loaded: damage the file while it is down.
        self.w.stop_service()
        with open(path, "rb") as f:
            good = f.read()
        bad = damage(good)
        with open(path, "wb") as f:
            f.write(bad)
        files = {n: open(self.settings_path(n), "rb").read() for n in uuids}
        global_xml = open(os.path.join(self.w.config, "boxwood.xml"), "rb").read()

        rc, out, err = self.w.run("list", "vms")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(len(lines), 3, out)
        self.assertIn(f'"First" {{{uuids["First"]}}}', lines)
        self.assertIn(f'"Last" {{{uuids["Last"]}}}', lines)
        broken = [ln for ln in lines if uuids["Broken"] in ln]
        self.assertEqual(len(broken), 1, out)
        self.assertIn("inaccessible: ", broken[0])
        self.assertRegex(broken[0], re.escape(path) + r":\d+:")
        # Asking about it names the file too, and the others still work.
        self.fails("showvminfo", uuids["Broken"], mentions=[path])
        self.assertEqual(self.info("Last")["name"], "Last")
        self.w.stop_service()
        for n, content in files.items():
            with open(self.settings_path(n), "rb") as f:
                self.assertEqual(f.read(), content, f"{n}.bwvm was changed")
        self.assertEqual(open(os.path.join(self.w.config, "boxwood.xml"), "rb").read(),
                         global_xml)

    def test_truncated_settings_file(self):
        self.check_broken(lambda good: good[:len(good) // 2])

    def test_malformed_settings_file(self):
        self.check_broken(lambda good: good.replace(b"<", b"<<", 3))


class RunningMachineTests(ManageTestCase):
    """A session held the way a VM process holds one (tests/manage/hold-session)."""

    def hold(self, machine):
        helper = os.path.join(bwtest.BUILD_ROOT, "tests", "manage", "hold-session")
        p = subprocess.Popen([helper, machine], env=self.w.env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = p.stdout.readline()
        if not line.startswith("ready "):
            p.kill()
            self.fail(f"hold-session failed: {p.stderr.read()}")
        self.addCleanup(p.wait, 30)
        self.addCleanup(p.stdin.close)
        return p

    def test_runningvms_and_refusals(self):
        uuid = self.create("Runner")
        self.create("Idle")
        disk = os.path.join(self.w.root, "r.vdi")
        self.ok("createmedium", "--filename", disk, "--size", "1")
        self.ok("storageattach", "Runner", "--storagectl", "IDE", "--port", "0",
                "--type", "hdd", "--medium", disk)
        before = self.info("Runner")
        p = self.hold("Runner")
        self.assertEqual(self.ok("list", "runningvms"), f'"Runner" {{{uuid}}}\n')
        self.assertEqual(self.info("Runner")["VMState"], "running")
        self.assertRegex(self.ok("showvminfo", "Runner"), r"(?m)^State: +running")
        self.fails("modifyvm", "Runner", "--memory", "128", status=1, mentions=["Runner"])
        self.fails("unregistervm", "Runner", status=1, mentions=["Runner"])
        self.fails("closemedium", disk, "--delete", status=1)
        self.assertTrue(os.path.exists(disk))
        self.ok("modifyvm", "Idle", "--memory", "128")
        # The VM process dies without saying goodbye: the machine is aborted.
        p.stdin.close()
        p.wait(30)
        # The service learns of it from the closed connection, on its own time.
        deadline = time.monotonic() + 20
        while self.ok("list", "runningvms") != "" and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.ok("list", "runningvms"), "")
        after = self.info("Runner")
        self.assertEqual(after["VMState"], "aborted")
        self.assertEqual(after["memory"], before["memory"])


class ControlTests(ManageTestCase):
    """startvm / controlvm without a guest: the errors a user meets. A
    machine really running is tests/guests/test-vga-boot.py."""

    def test_controlvm_needs_a_running_machine(self):
        self.create("idle")
        for action in (["pause"], ["screentext"], ["screenshotpng", "x.png"],
                       ["keyboardputscancode", "1e", "9e"], ["dvdattach", "emptydrive"],
                       ["acpipowerbutton"]):
            self.fails("controlvm", "idle", *action, status=1, mentions=("'idle' is not running",))

    def test_controlvm_unknown_machine(self):
        self.fails("controlvm", "ghost", "pause", status=1, mentions=("ghost",))
        self.fails("startvm", "ghost", "--type", "headless", status=1, mentions=("ghost",))

    def test_controlvm_syntax(self):
        self.create("idle")
        self.fails("controlvm", "idle", "fly", status=2, mentions=("unknown action 'fly'",))
        self.fails("controlvm", "idle", status=2, mentions=("action",))
        self.fails("controlvm", "idle", "screenshotpng", status=2,
                   mentions=("screenshotpng takes 1 argument, not 0",))
        self.fails("controlvm", "idle", "keyboardputscancode", status=2,
                   mentions=("at least one argument",))
        self.fails("startvm", "idle", "--type", "window", status=2, mentions=("window",))

    def test_startvm_reports_the_vm_error(self):
        self.create("efi-box")
        self.ok("modifyvm", "efi-box", "--firmware", "efi")
        rc, out, err = self.w.run("startvm", "efi-box", "--type", "headless")
        self.assertEqual(rc, 1, err)
        # The VM process's own words, then ours.
        self.assertIn("boxwood-vm: Machine “efi-box” asks for efi firmware", err)
        self.assertIn("boxwood-manage: error: Machine 'efi-box' did not start", err)
        self.assertIn("poweroff", self.info("efi-box").get("VMState", "poweroff").lower())


class DemoTest(unittest.TestCase):
    """tools/demo: makes its machine once; a second run makes nothing new."""

    def test_demo_is_idempotent(self):
        w = bwtest.Env()
        try:
            demo = os.path.join(os.environ.get("BW_SOURCE_ROOT", "."), "tools", "demo")
            env = dict(w.env, BOXWOOD_MANAGE=bwtest.MANAGE)
            # Without a display the demo boots its machine headless.
            env.pop("DISPLAY", None)
            env.pop("WAYLAND_DISPLAY", None)
            first = subprocess.run([demo], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, timeout=120)
            self.assertEqual(first.returncode, 0, first.stderr)
            self.assertIn('"Boxwood Demo"', first.stdout)
            self.assertEqual(first.stderr, "")
            if os.path.exists("/usr/lib/grub-rescue/grub-rescue-cdrom.iso"):
                # The GRUB rescue CD boots to its menu, read off the screen.
                self.assertIn("GNU GRUB", first.stdout)
                self.assertIn("Powered off again", first.stdout)
            listing = sorted(os.listdir(os.path.join(w.machine_folder, "Boxwood Demo")))
            second = subprocess.run([demo], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, timeout=120)
            self.assertEqual(second.returncode, 0, second.stderr)
            self.assertEqual(sorted(os.listdir(os.path.join(w.machine_folder, "Boxwood Demo"))),
                             listing)
            rc, out, _ = w.run("list", "vms")
            self.assertEqual(len(out.splitlines()), 1, out)
            rc, out, _ = w.run("list", "hdds")
            self.assertEqual(out.count("UUID:"), 1, out)
        finally:
            w.cleanup()


if __name__ == "__main__":
    sys.exit(bwtest.tap_main(sys.modules[__name__]))
