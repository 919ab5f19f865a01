#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Project hygiene that a review would otherwise have to catch: the man page
names every option --help lists; no C source or header calls a banned
function (STYLE: curl's checksrc list); the built-in profiles exist, each
cites a source, a date, the day it was read and its changes, and are the ones `rules --list` shows."""
import glob
import os
import re
import subprocess

from common import SRC, Failures, run

BANNED = re.compile(r"\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|atol|gets|alloca)\s*\(")
# Where the built-in profiles live (meson.build: EA_SOURCE_PROFILES).
PROFILES = os.path.join(SRC, "analyze", "policy", "profiles")


def c_files():
    """The C sources and headers of the tree: git's list of them, the one the
    clang-format check in .ci/run reads, whatever folders they live in;
    without git (or outside a checkout) a walk that skips hidden and build
    directories."""
    try:
        p = subprocess.run(["git", "ls-files", "-z", "--", "*.c", "*.h"], cwd=SRC,
                           capture_output=True, check=True)
        names = [n for n in p.stdout.decode().split("\0") if n]
        files = [os.path.join(SRC, n) for n in names]
        files = [path for path in files if os.path.isfile(path)]  # deleted, not committed
        if files:
            return files, "git ls-files"
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for root, dirs, names in os.walk(SRC):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not os.path.isdir(os.path.join(root, d, "meson-private")))
        files += [os.path.join(root, n) for n in sorted(names) if n.endswith((".c", ".h"))]
    return files, "a walk of the tree"


def main():
    f = Failures()
    man = open(os.path.join(SRC, "doc", "egress-audit.1")).read().replace("\\-", "-")
    for cmd in (("--help",), ("analyze", "--help"), ("report", "--help"), ("capture", "--help"),
                ("rules", "--help")):
        rc, out, _ = run(*cmd)
        f.check(rc == 0, f"{' '.join(cmd)}: exit {rc}")
        for opt in sorted(set(re.findall(rb"(?<![\w-])--[a-z][a-z-]+", out))):
            o = opt.decode()
            f.check(o in man, f"man page lacks {o} (listed by {' '.join(cmd)})")

    sources, how = c_files()
    f.check(len(sources) > 0, f"no C files found by {how} in {SRC}")
    for path in sources:
        for n, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
            code = line.split("//")[0]
            if code.lstrip().startswith(("*", "/*")):
                continue
            m = BANNED.search(code)
            f.check(not m, f"{os.path.relpath(path, SRC)}:{n}: banned call {m and m.group(1)}")

    profiles = sorted(glob.glob(os.path.join(PROFILES, "*.rules")))
    f.check(profiles, f"no profiles in {os.path.relpath(PROFILES, SRC)} (moved? then move "
                      "EA_SOURCE_PROFILES in meson.build and this test with them)")
    for path in profiles:
        head = open(path).read()
        for key in ("# profile:", "# title:", "# source:", "# date:", "# read:", "# changes:"):
            f.check(key in head, f"{os.path.basename(path)}: no '{key}' header")
    # Every data file is installed: a profile or catalog file missing from
    # install_data works in the source tree and vanishes after meson install.
    build = open(os.path.join(SRC, "analyze", "policy", "meson.build")).read()
    data = list(profiles)
    data += glob.glob(os.path.join(SRC, "analyze", "policy", "services", "*.tsv"))
    f.check(len(data) > len(profiles), "no service catalog files found")
    for path in data:
        rel = os.path.relpath(path, os.path.join(SRC, "analyze", "policy"))
        f.check(f"'{rel}'" in build, f"analyze/policy/meson.build does not install {rel}")
    rc, out, err = run("rules", "--list")
    listed = {line.split("\t")[0] for line in out.decode().splitlines()
              if line and not line.startswith("\t")}
    files = {os.path.basename(p)[:-len(".rules")] for p in profiles}
    f.check(rc == 0 and listed == files,
            f"rules --list shows {sorted(listed)}, {os.path.relpath(PROFILES, SRC)} has "
            f"{sorted(files)} ({err.strip()})")
    f.finish(f"lint ({len(sources)} C files from {how}, {len(profiles)} profiles)")


if __name__ == "__main__":
    main()
