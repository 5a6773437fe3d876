"""Shared helpers for the boxwood-manage end-to-end tests and benchmark.

Each environment is a fresh temporary root with its own HOME,
BOXWOOD_USER_HOME and XDG_RUNTIME_DIR, so the real boxwood-manage starts its
own real boxwood-svc and nothing touches the user's files.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

BUILD_ROOT = os.environ.get("BW_BUILD_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "build"))
MANAGE = os.path.join(BUILD_ROOT, "app", "manage", "boxwood-manage")
SVC = os.path.join(BUILD_ROOT, "app", "svc", "boxwood-svc")


class Env:
    """A private Boxwood world: folders, environment, service control."""

    def __init__(self, prefix="bw-manage-"):
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.home = os.path.join(self.root, "home")
        self.config = os.path.join(self.root, "config")
        self.runtime = os.path.join(self.root, "run")
        for d in (self.home, self.config, self.runtime):
            os.makedirs(d, mode=0o700)
        self.env = dict(os.environ)
        self.env.update({
            "HOME": self.home,
            "BOXWOOD_USER_HOME": self.config,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_RUNTIME_DIR": self.runtime,
            "BOXWOOD_SVC": SVC,
            "LC_ALL": "C.UTF-8",
        })
        self.env.pop("G_DEBUG", None)

    @property
    def machine_folder(self):
        return os.path.join(self.home, "Boxwood VMs")

    def run(self, *args, cwd=None):
        p = subprocess.run([MANAGE] + [str(a) for a in args], env=self.env, cwd=cwd or self.root,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def service_pids(self):
        """boxwood-svc processes of this environment (found by their
        XDG_RUNTIME_DIR), so that only our own service is ever stopped."""
        pids = []
        want = ("XDG_RUNTIME_DIR=" + self.runtime).encode()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    argv0 = f.read().split(b"\0")[0]
                if not argv0.endswith(b"boxwood-svc"):
                    continue
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if want in f.read().split(b"\0"):
                        pids.append(int(entry))
            except OSError:
                continue
        return pids

    def wait_service_gone(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while self.service_pids():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def stop_service(self):
        for pid in self.service_pids():
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        if not self.wait_service_gone(10.0):
            for pid in self.service_pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.wait_service_gone(5.0)

    def cleanup(self):
        self.stop_service()
        shutil.rmtree(self.root, ignore_errors=True)


class TapResult(unittest.TestResult):
    """Prints TAP as tests finish (meson's protocol: 'tap')."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def _line(self, ok, test, note=""):
        self.count += 1
        print(f"{'ok' if ok else 'not ok'} {self.count} - {test.id().split('.', 1)[-1]}{note}",
              flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(True, test)

    def _fail(self, test, err, kind):
        self._line(False, test)
        for line in self._exc_info_to_string(err, test).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err, "failure")

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err, "error")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(True, test, f" # SKIP {reason}")


def tap_main(module):
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    result = TapResult()
    suite.run(result)
    print(f"1..{result.count}", flush=True)
    return 0 if result.wasSuccessful() else 1
