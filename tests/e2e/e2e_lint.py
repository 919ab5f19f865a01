#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Project hygiene that a review would otherwise have to catch: the man page
names every option --help lists; no C source calls a banned function (STYLE:
curl's checksrc list); the profiles each cite a source, a date, the day it
was read and their changes."""
import glob
import os
import re

from common import SRC, Failures, run

BANNED = re.compile(r"\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|atol|gets|alloca)\s*\(")


def main():
    f = Failures()
    man = open(os.path.join(SRC, "doc", "egress-audit.1")).read().replace("\\-", "-")
    for cmd in (("--help",), ("analyze", "--help"), ("capture", "--help"), ("rules", "--help")):
        rc, out, _ = run(*cmd)
        f.check(rc == 0, f"{' '.join(cmd)}: exit {rc}")
        for opt in sorted(set(re.findall(rb"(?<![\w-])--[a-z][a-z-]+", out))):
            o = opt.decode()
            f.check(o in man, f"man page lacks {o} (listed by {' '.join(cmd)})")
    sources = glob.glob(os.path.join(SRC, "*.c")) + glob.glob(os.path.join(SRC, "*", "*.c"))
    sources += glob.glob(os.path.join(SRC, "tests", "unit", "*.c"))
    for path in sources:
        for n, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
            code = line.split("//")[0]
            if code.lstrip().startswith(("*", "/*")):
                continue
            m = BANNED.search(code)
            f.check(not m, f"{os.path.relpath(path, SRC)}:{n}: banned call {m and m.group(1)}")
    profiles = glob.glob(os.path.join(SRC, "analyze", "policy", "profiles", "*.rules"))
    f.check(profiles, "no profiles found in analyze/policy/profiles")
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
    f.finish(f"lint ({len(sources)} C files)")


if __name__ == "__main__":
    main()
