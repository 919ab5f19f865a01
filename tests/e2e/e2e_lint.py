#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Project hygiene that a review would otherwise have to catch: the man page
names every option --help lists; no C source calls a banned function (STYLE:
curl's checksrc list); the profiles each cite a source and a date."""
import glob
import os
import re

from common import SRC, Failures, run

BANNED = re.compile(r"\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|atol|gets|alloca)\s*\(")


def main():
    f = Failures()
    man = open(os.path.join(SRC, "doc", "egress-audit.1")).read().replace("\\-", "-")
    for cmd in (("--help",), ("analyze", "--help"), ("report", "--help"), ("rules", "--help")):
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
    for path in glob.glob(os.path.join(SRC, "analyze", "profiles", "*.rules")):
        head = open(path).read()
        for key in ("# profile:", "# title:", "# source:", "# date:"):
            f.check(key in head, f"{os.path.basename(path)}: no '{key}' header")
    f.finish(f"lint ({len(sources)} C files)")


if __name__ == "__main__":
    main()
