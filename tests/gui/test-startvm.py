#!/usr/bin/python3
"""`boxwood --startvm MACHINE`: the manager program hands over to the VM
process, as `VirtualBox --startvm` does, with the rest of its arguments
(here --headless, so no display is needed). TAP output."""

import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "manage"))
import bwtest  # noqa: E402

BOXWOOD = os.path.join(bwtest.BUILD_ROOT, "app", "manager", "boxwood")
VM = os.path.join(bwtest.BUILD_ROOT, "app", "vm", "boxwood-vm")


class StartVmTests(unittest.TestCase):
    def setUp(self):
        self.w = bwtest.Env(prefix="bw-startvm-")
        self.addCleanup(self.w.cleanup)
        self.w.env["BOXWOOD_VM"] = VM

    def manage(self, *args):
        rc, out, err = self.w.run(*args)
        self.assertEqual(rc, 0, err)
        return out

    def state(self, name):
        out = self.manage("showvminfo", name, "--machinereadable")
        for line in out.splitlines():
            if line.startswith("VMState="):
                return line.split("=", 1)[1].strip('"')
        return None

    def test_startvm_runs_the_machine(self):
        self.manage("createvm", "--name", "Started", "--register")
        p = subprocess.Popen([BOXWOOD, "--startvm", "Started", "--headless"], env=self.w.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while self.state("Started") != "running" and time.monotonic() < deadline:
                if p.poll() is not None:
                    self.fail(f"boxwood exited early: {p.stderr.read()}")
                time.sleep(0.1)
            self.assertEqual(self.state("Started"), "running")
            # The process that runs the machine is the one boxwood became.
            with open(f"/proc/{p.pid}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0]
            self.assertTrue(argv0.endswith(b"boxwood-vm"), argv0)
            self.manage("controlvm", "Started", "poweroff")
            self.assertEqual(p.wait(60), 0, p.stderr.read())
            self.assertEqual(self.state("Started"), "poweroff")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()

    def test_startvm_unknown_machine(self):
        p = subprocess.run([BOXWOOD, "--startvm", "ghost", "--headless"], env=self.w.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ghost", p.stderr)


if __name__ == "__main__":
    sys.exit(bwtest.tap_main(sys.modules[__name__]))
