#!/usr/bin/python3
"""Translations of the manager: po/POTFILES.in lists exactly the files
with strings marked for translation (sorted, all existing), and the German
translation covers every marked string with matching format directives.
TAP output."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("BW_SOURCE_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
# Where the manager's strings live; data files of the desktop integration
# are always translatable.
SCAN = ["ui", "app/manager", "app/vm"]
# The German translation must be complete for the manager's own files;
# strings of other areas (the VM window in ui/vm) are counted, not required,
# so that adding a string there does not break this test.
GERMAN_REQUIRED = ("ui/manager/", "app/manager/", "data/")
DATA = ["data/org.boxwood.Boxwood.desktop.in", "data/org.boxwood.Boxwood.metainfo.xml.in",
        "data/org.boxwood.Boxwood.gschema.xml"]
C_MARK = re.compile(r'\b(N?C?_|g_dngettext|ngettext)\s*\(\s*"')
UI_MARK = re.compile(r'translatable="yes"')

results = []


def check(title, ok, detail=""):
    results.append((title, ok, detail))


def marked(path):
    with open(os.path.join(SRC, path), encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".c"):
        return bool(C_MARK.search(text))
    if path.endswith(".ui"):
        return bool(UI_MARK.search(text))
    return path in DATA


def listed():
    with open(os.path.join(SRC, "po", "POTFILES.in"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def main():
    files = listed()
    found = set(DATA)
    for top in SCAN:
        for root, _, names in os.walk(os.path.join(SRC, top)):
            for name in names:
                if name.endswith((".c", ".ui")):
                    rel = os.path.relpath(os.path.join(root, name), SRC)
                    if marked(rel):
                        found.add(rel)
    missing = sorted(found - set(files))
    check("POTFILES.in lists every file with marked strings", not missing,
          "missing: " + ", ".join(missing))
    stale = [f for f in files if not os.path.exists(os.path.join(SRC, f)) or not marked(f)]
    check("every file in POTFILES.in exists and has marked strings", not stale,
          "stale: " + ", ".join(stale))
    check("POTFILES.in is sorted", files == sorted(files), "")

    tools = [t for t in ("xgettext", "msgmerge", "msgfmt") if shutil.which(t) is None]
    if tools:
        print(f"1..{len(results) + 1}")
        for i, (title, ok, detail) in enumerate(results, 1):
            print(("ok" if ok else "not ok") + f" {i} - {title}" + ("" if ok else f"\n# {detail}"))
        print(f"ok {len(results) + 1} - German translation # SKIP missing {', '.join(tools)}")
        return 0 if all(ok for _, ok, _ in results) else 1

    def german(subset, tmp):
        """msgfmt's statistics of de.po merged with the strings of subset."""
        lst = os.path.join(tmp, "files")
        with open(lst, "w") as f:
            f.write("\n".join(subset) + "\n")
        pot = os.path.join(tmp, "boxwood.pot")
        r = subprocess.run(["xgettext", "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
                            "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "-f", lst, "-D", SRC,
                            "-o", pot], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            return r.returncode, r.stderr.strip()
        merged = os.path.join(tmp, "de.po")
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged,
                        os.path.join(SRC, "po", "de.po"), pot],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        r = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, merged],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return r.returncode, r.stderr.strip()

    with tempfile.TemporaryDirectory() as tmp:
        own = [f for f in files if f.startswith(GERMAN_REQUIRED)]
        rc, text = german(own, tmp)
        stats = text.splitlines()[-1] if text else ""
        complete = (rc == 0 and "untranslated" not in stats and "fuzzy" not in stats
                    and "translated" in stats)
        check("the German translation of the manager is complete and its formats match",
              complete, text)
        rc, text = german(files, tmp)
        check("de.po compiles against every listed file", rc == 0, text)
        print("# German, all listed files: " + (text.splitlines()[-1] if text else "?"))

    print(f"1..{len(results)}")
    for i, (title, ok, detail) in enumerate(results, 1):
        print(("ok" if ok else "not ok") + f" {i} - {title}")
        if not ok:
            for line in detail.splitlines():
                print("# " + line)
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
